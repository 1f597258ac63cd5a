"""The FastMCP test peer (peer_server.py, the official Python SDK) served over Streamable HTTP.

Usage: python http_peer_server.py NAME [PORT] [json]. Listens on 127.0.0.1:PORT (0 or none: a free
port), prints `port N` on stdout once it accepts connections, and serves until killed. With `json`
the server answers requests with plain JSON bodies instead of SSE streams. Besides the tools of
peer_server.py it has tools that show what the HTTP transport carried.
"""
import socket
import sys

import anyio
import mcp.types as types
import uvicorn
from mcp.server.fastmcp import Context

import peer_server

name = sys.argv[1] if len(sys.argv) > 1 else "peer"
port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
mcp = peer_server.mcp
mcp.settings.json_response = len(sys.argv) > 3 and sys.argv[3] == "json"


def header(ctx: Context, key: str) -> str:
    request = ctx.request_context.request
    return request.headers.get(key, "") if request is not None else ""


@mcp.tool()
async def secret_reversed(ctx: Context) -> str:
    """The Authorization header the server received, reversed (so that no redaction hides it)."""
    return header(ctx, "authorization")[::-1]


@mcp.tool()
async def secret_echo(ctx: Context) -> str:
    """The Authorization header as received (Brigade must redact it)."""
    return "you sent: " + header(ctx, "authorization")


@mcp.tool()
async def secret_fail(ctx: Context) -> str:
    """Fails with the Authorization header in the message (Brigade must redact it)."""
    raise ValueError("rejected credentials " + header(ctx, "authorization"))


@mcp.tool()
async def transport_headers(ctx: Context) -> str:
    """The session and protocol headers of this request, and its Accept header."""
    return " | ".join(f"{key}={header(ctx, key)}" for key in ("mcp-session-id", "mcp-protocol-version", "accept"))


@mcp.tool()
async def add_tool_elsewhere(ctx: Context) -> str:
    """Adds the tool `later` and sends list_changed unrelated to this request (on the GET stream)."""

    def later() -> str:
        """Appeared after a list_changed notification on the GET stream."""
        return "later tool ran"

    mcp.add_tool(later, name="later")
    # A notification for the GET stream is dropped while there is none: wait until the client has it.
    transport = mcp.session_manager._server_instances.get(header(ctx, "mcp-session-id"))
    await peer_server.wait_until(lambda: transport is not None and "_GET_stream" in transport._request_streams)
    await ctx.session.send_tool_list_changed()
    return "added elsewhere"


@mcp.tool()
async def add_late_tool_in_stream(ctx: Context) -> str:
    """Adds the tool `late` and sends list_changed in this request's own SSE stream."""

    def late() -> str:
        """Appeared after a list_changed notification."""
        return "late tool ran"

    mcp.add_tool(late, name="late")
    notification = types.ServerNotification(types.ToolListChangedNotification(method="notifications/tools/list_changed"))
    await ctx.session.send_notification(notification, related_request_id=ctx.request_id)
    return "added"


@mcp.tool()
async def open_sessions(at_most: int) -> int:
    """The number of sessions the server holds, once it is `at_most` (or after 20 s)."""
    await peer_server.wait_until(lambda: len(mcp.session_manager._server_instances) <= at_most)
    return len(mcp.session_manager._server_instances)


async def main() -> None:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(64)
    server = uvicorn.Server(uvicorn.Config(mcp.streamable_http_app(), log_level="warning", lifespan="on"))
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(server.serve, [listener])
        while not server.started:
            await anyio.sleep(0.01)
        print(f"port {listener.getsockname()[1]}", flush=True)


if __name__ == "__main__":
    anyio.run(main)
