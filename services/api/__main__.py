"""``python -m services.api``: serve the HTTP API with uvicorn."""

from __future__ import annotations

import socket

import uvicorn
from litestar import Litestar

from services.common.lifecycle import configured

#: How long open requests may take to finish once the server is told to stop (inside the
#: 30 s grace a deployment gives, after its 5 s preStop sleep).
GRACEFUL_S = 20


class Server(uvicorn.Server):
    """uvicorn's server, telling the app it is stopping before waiting for open responses:
    event streams end then (services/api/streams.py) instead of holding the stop up."""

    def __init__(self, config: uvicorn.Config, app: Litestar) -> None:
        super().__init__(config)
        self._app = app

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        services = getattr(self._app.state, "services", None)
        if services is not None:
            services.stopping.set()
        await super().shutdown(sockets)


def main() -> None:
    settings = configured("api")
    from services.api.app import create_app

    app = create_app(settings)
    # uvicorn's "auto" HTTP implementation: httptools when installed, else h11.
    config = uvicorn.Config(app, host=settings.api_host, port=settings.api_port, loop="uvloop",
                            log_config=None, access_log=False, lifespan="on",
                            timeout_graceful_shutdown=GRACEFUL_S)
    Server(config, app).run()


if __name__ == "__main__":
    main()
