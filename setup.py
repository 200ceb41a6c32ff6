"""A legacy-compatible Python package index (the 2010 "Cheese Shop" protocol) as a WSGI app."""
from setuptools import find_packages, setup

setup(
    name="pypi-legacy",
    version="0.1.0",
    description="A drop-in replacement for the legacy Python Package Index server",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    python_requires=">=3.11",
    packages=find_packages(include=["pypi", "pypi.*", "legacy", "legacy.*",
                                    "storage_backends", "storage_backends.*"]),
    install_requires=[
        "WebOb>=1.8",
        "waitress>=3.0,<4",   # pypi/lanes.py hands create_server a dispatcher (its _dispatcher)
        "SQLAlchemy>=2.0",
        "alembic>=1.13",
        "packaging>=24",
        "argon2-cffi>=23",
        "bcrypt>=4",
        "defusedxml>=0.7",
        "trove-classifiers>=2024.1",
        "cryptography>=42",
        "Jinja2>=3.1",
        "readme_renderer[md]>=42",
        "multipart>=1.2,<3",   # legacy/forms.py: PushMultipartParser
        "legacy-cgi>=2.6; python_version >= '3.13'",   # cgi left the standard library in 3.13
    ],
    extras_require={
        "mysql": ["PyMySQL>=1.1"],
        "postgresql": ["psycopg[binary]>=3.1"],
        "gae": ["appengine-python-standard>=1.1"],
        "bench": ["matplotlib>=3.5", "twine>=5"],   # bench/suite.py's plot and uploads
        "test": [
            "pytest>=8",
            "pytest-xdist>=3",
            "WebTest>=3",
            "twine>=5",
            "build>=1",
            "wheel",
            "PyMySQL>=1.1",
            "psycopg[binary]>=3.1",
            "html5lib>=1.1",
            "hypothesis>=6.100",
            "appengine-python-standard>=1.1",   # the gae backend runs in every test run
            "playwright>=1.40",
        ],
    },
    entry_points={"console_scripts": ["pypi = pypi.cli:main"]},
    classifiers=[
        "Programming Language :: Python :: 3",
        "Framework :: Paste",
        "Topic :: Software Development :: Build Tools",
    ],
)
