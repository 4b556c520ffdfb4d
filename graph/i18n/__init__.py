"""The UI's words for the core and the command line: the gettext catalogues the web pages use, read with Babel's plain
API (no Flask), French typography, and the extractor of the named queries' titles; imports only `resources`.
"""
