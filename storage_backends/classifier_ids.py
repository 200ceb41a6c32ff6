"""Which id each classifier gets when an index is imported (``Store.import_classifiers``)."""
from __future__ import annotations

from typing import Mapping


def imported_classifier_ids(wanted: Mapping[str, int], current: Mapping[str, int],
                            in_use: set[str]) -> dict[str, int]:
    """The classifiers (with ids) a store holds after importing ``wanted``.

    Classifiers in use keep their ids (releases point at them); every other
    current one goes unless wanted. A wanted classifier gets its id, or the
    next free id when a classifier in use holds that one.
    """
    final = {c: i for c, i in current.items() if c in in_use}
    taken = set(final.values())
    next_id = max([*wanted.values(), *current.values(), 0]) + 1
    for classifier, trove_id in sorted(wanted.items(), key=lambda item: item[1]):
        if classifier in final:
            continue
        if trove_id in taken:
            trove_id, next_id = next_id, next_id + 1
        final[classifier] = trove_id
        taken.add(trove_id)
    return final
