"""``python -m services.api``: serve the HTTP API with uvicorn."""

from __future__ import annotations

import uvicorn

from services.common.lifecycle import configured


def main() -> None:
    settings = configured("api")
    from services.api.app import create_app

    # uvicorn's "auto" HTTP implementation: httptools when installed, else h11.
    uvicorn.run(create_app(settings), host=settings.api_host, port=settings.api_port,
                loop="uvloop", log_config=None, access_log=False, lifespan="on")


if __name__ == "__main__":
    main()
