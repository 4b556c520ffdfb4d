"""Taking the network away from a process that runs clients' text (the query workers): a new, empty network
namespace of its own (Linux user namespaces), where even loopback is down, so nothing it runs can reach a server."""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import sys

log = logging.getLogger(__name__)

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000


def deny_network() -> bool:
    """Move this process into a network namespace with no interface up; whether that worked.

    Call it while the process has one thread (unshare refuses a user namespace to a threaded process). Where the
    platform does not allow it (not Linux, or user namespaces disabled), a warning is logged and the process keeps
    the network: the checks of sparql_check and sparql_guard still stand in front of it.
    """
    if not sys.platform.startswith("linux"):
        log.warning("query workers keep network access: network namespaces need Linux")
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0:
        error = ctypes.get_errno()
        log.warning("query workers keep network access: unshare failed (%s)", os.strerror(error))
        return False
    return True
