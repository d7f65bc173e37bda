"""One module per API section; each class is reached as an attribute of :class:`wacr.Client`.

Every method takes the per-call options :class:`RequestOptions` (:class:`BodyOptions` where it
sends a body) as keywords: ``max_retries``, ``timeout``, ``extra_headers``, ``extra_query``,
``extra_body``.
"""

from wacr.resources._options import BodyOptions, RequestOptions
from wacr.resources.account import Account
from wacr.resources.auth import Auth
from wacr.resources.comments import Comments
from wacr.resources.contacts import Contacts
from wacr.resources.groups import Groups
from wacr.resources.messages import Messages
from wacr.resources.sources import Sources
from wacr.resources.statuses import Statuses
from wacr.resources.templates import Templates

__all__ = [
    "Account",
    "Auth",
    "BodyOptions",
    "Comments",
    "Contacts",
    "Groups",
    "Messages",
    "RequestOptions",
    "Sources",
    "Statuses",
    "Templates",
]
