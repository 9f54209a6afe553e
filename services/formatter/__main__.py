"""``python -m services.formatter``: the output formatter."""

from __future__ import annotations

from services.common.lifecycle import configured, run_service


def main() -> None:
    settings = configured("formatter")
    from services.formatter.service import serve

    run_service(lambda stop: serve(settings, stop))


if __name__ == "__main__":
    main()
