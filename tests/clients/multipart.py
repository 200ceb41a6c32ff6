"""A bare multipart upload over urllib, for requests that twine refuses to send."""
from __future__ import annotations

import base64
import hashlib
import urllib.error
import urllib.request
import uuid


def post_upload(url: str, user: str, password: str, filename: str, data: bytes, **fields) -> tuple[int, str]:
    boundary = uuid.uuid4().hex
    fields = {":action": "file_upload", "protocol_version": "1",
              "sha256_digest": hashlib.sha256(data).hexdigest(), **fields}
    body = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                    for k, v in fields.items())
    body += (f'--{boundary}\r\nContent-Disposition: form-data; name="content"; filename="{filename}"\r\n'
             "Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}", "Authorization": f"Basic {token}"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.reason
    except urllib.error.HTTPError as err:
        with err:
            return err.code, err.reason
