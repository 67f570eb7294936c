"""Routes of the appraisal service, a module per resource. Each write route calls its service
function, commits the unit of work, then `cards_changed`."""
from fastapi import Request


def cards_changed(request: Request) -> None:
    """After a write in this process: its own next read sees it at once (other replicas within max_age)."""
    request.app.state.stamp_board.expire()
