"""Domain errors raised by services; the API and the pages turn them into 400 / 409 answers.

Services never return half-done work: they raise one of these inside the posting transaction, which rolls back.
"""


class BooksError(Exception):
    """Base class: a request the books refuse."""

    status_code = 400

    def __init__(self, message: str, *, errors: dict | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}
        self.code = code or self.default_code

    default_code = "invalid"


class InvalidInput(BooksError):
    """Bad input: unknown codes, wrong signs, unbalanced journals. ``errors`` maps field paths to messages."""

    status_code = 400

    @classmethod
    def field(cls, path: str, message: str) -> "InvalidInput":
        return cls(message, errors={path: [message]})


class Conflict(BooksError):
    """The request conflicts with the state of the books (closed period, job running, entry already applied)."""

    status_code = 409
    default_code = "conflict"


class NotFound(BooksError):
    """What the request names does not exist (a document no. with no entries)."""

    status_code = 404
    default_code = "not_found"
