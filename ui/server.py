"""The workspace as an ASGI app: Streamlit running ui/app.py, plus what Streamlit does not do
itself: a cookie naming each browser, export downloads that only that browser can fetch
(ui/downloads.py), and the log-in session's cookie (ui/session_cookie.py).

`sijil ui` runs `streamlit run ui/server.py`; Streamlit finds `app` below and serves it with
uvicorn. ui/app.py stays the Streamlit script, so AppTest keeps running it directly.
"""

from __future__ import annotations

import logging
from pathlib import Path

from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from streamlit.starlette import App

from ui import downloads, session_cookie

_NOT_FOUND = "Not found\n"
# The file is someone's confidential export: never cached, never shown inside this site
# (an HTML report opened here could run as the workspace), never named in a Referer.
_FILE_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
                 "Content-Security-Policy": "sandbox", "Referrer-Policy": "no-referrer"}


class ClientCookieMiddleware:
    """Give every browser that has none a random `sijil_client` cookie: HttpOnly (no script
    reads it), SameSite=Strict (no other site's page sends it), Secure over HTTPS. The
    Streamlit session's WebSocket arrives with it, which is how a page knows the browser."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = HTTPConnection(scope)
        # A link followed from another site arrives without the SameSite=Strict cookie even
        # when the browser has one; replacing it would orphan that browser's other tabs. The
        # page's own requests (assets, same-site) still bring or set it.
        if (scope["type"] != "http"
                or request.headers.get("sec-fetch-site") == "cross-site"
                or downloads.valid_client_id(request.cookies.get(downloads.COOKIE))):
            await self.app(scope, receive, send)
            return
        cookie = (f"{downloads.COOKIE}={downloads.new_client_id()}; Path=/; HttpOnly; "
                  "SameSite=Strict" + ("; Secure" if scope.get("scheme") == "https" else ""))

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append("set-cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_with_cookie)


async def serve_download(request: Request) -> Response:
    """The offered file, to the browser it was offered to; a bare 404 to anyone else."""
    found = downloads.offered(request.path_params["token"],
                              request.cookies.get(downloads.COOKIE))
    if found is None:
        return PlainTextResponse(_NOT_FOUND, status_code=404, headers=_FILE_HEADERS)
    return Response(found.data, media_type=found.mime, headers={
        **_FILE_HEADERS,
        "Content-Disposition": downloads.content_disposition(found.file_name)})


async def claim_session_cookie(request: Request) -> Response:
    """Set (or clear) the `sijil_session` cookie the page left for this browser, if any
    (ui/session_cookie.py); an empty answer either way, so nothing can be read from it."""
    found, token = session_cookie.claim(request.cookies.get(downloads.COOKIE))
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    if found:
        response.headers.append("set-cookie", session_cookie.set_cookie_header(
            token, https=request.url.scheme == "https"))
    return response


def on_script_error(error: Exception) -> bool:
    """An error no page caught: logged in full on the server, one sentence in the browser."""
    import streamlit as st

    from records.db_faults import explain
    from records.errors import DatabaseFault
    from ui.components.text import escape_markdown
    from ui.i18n import _

    fault = error if isinstance(error, DatabaseFault) else explain(error)
    if fault is not None:
        # A read-only database, a full disk, a server gone: its own sentence, not a bug.
        logging.getLogger("sijil.ui").warning("database fault in a page", exc_info=error)
        st.error(escape_markdown(str(fault)))
        return True
    logging.getLogger("sijil.ui").error("unexpected error in a page", exc_info=error)
    st.error(_("Something went wrong and the page stopped. Nothing more was done; the "
               "details are in the server's log."))
    return True


routes = [Route(downloads.ROUTE + "{token}", serve_download, methods=["GET"]),
          Route(session_cookie.ROUTE, claim_session_cookie, methods=["GET"])]
middleware = [Middleware(ClientCookieMiddleware)]
app = App(Path(__file__).with_name("app.py"), routes=routes, middleware=middleware,
          on_script_error=on_script_error)
