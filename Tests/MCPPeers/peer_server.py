"""An MCP server built with the official Python SDK (FastMCP), for Brigade's tests.

Usage: python peer_server.py NAME. Every tool is steered by its arguments; nothing waits on a
timer except where a test needs a call that never ends by itself (`hang`).
"""
import asyncio
import json
import os
import sys
import time

import anyio
from mcp.server.fastmcp import Context, FastMCP

name = sys.argv[1] if len(sys.argv) > 1 else "peer"
mcp = FastMCP(name)
state = {"active": 0, "peak": 0, "cancelled": 0}


async def wait_until(predicate, seconds=20.0):
    """Polls a condition of this process (a test peer may poll; Brigade's tests never sleep)."""
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.005)
    return True


@mcp.tool()
async def echo(text: str) -> str:
    """Returns the text with the server's name."""
    return f"{name}: {text}"


@mcp.tool()
def add(a: int, b: int) -> int:
    """Adds two integers."""
    return a + b


@mcp.tool()
async def rendezvous(folder: str, me: str, peer: str) -> str:
    """Leaves a mark named `me` in `folder` and waits for the mark `peer`: only calls that run at the
    same time can both meet."""
    start = time.time()
    open(os.path.join(folder, me), "w").close()
    met = await wait_until(lambda: os.path.exists(os.path.join(folder, peer)))
    return json.dumps({"met": met, "start": start, "end": time.time(), "pid": os.getpid()})


@mcp.tool()
async def probe(target: int) -> str:
    """Counts the calls running at once; holds each until `target` were seen together."""
    state["active"] += 1
    state["peak"] = max(state["peak"], state["active"])
    try:
        await wait_until(lambda: state["peak"] >= target, seconds=10)
        await asyncio.sleep(0.02)
        return json.dumps({"peak": state["peak"]})
    finally:
        state["active"] -= 1


@mcp.tool()
async def hang() -> str:
    """Never answers; counts its cancellations."""
    try:
        await asyncio.sleep(3600)
        return "woke up"
    except anyio.get_cancelled_exc_class():
        state["cancelled"] += 1
        raise


@mcp.tool()
async def cancellations(at_least: int) -> int:
    """The number of `hang` calls cancelled so far, once it reaches `at_least` (or after 20 s)."""
    await wait_until(lambda: state["cancelled"] >= at_least)
    return state["cancelled"]


@mcp.tool()
def crash() -> str:
    """Ends the server process at once, mid-call."""
    sys.stderr.write("peer: crashing on purpose\n")
    sys.stderr.flush()
    os._exit(3)


@mcp.tool()
def pid() -> int:
    """The server's process id."""
    return os.getpid()


@mcp.tool()
def big(size: int) -> str:
    """Returns `size` bytes of text."""
    return "x" * size


@mcp.tool()
def fail(message: str) -> str:
    """Fails with `message` (an isError result)."""
    raise ValueError(message)


@mcp.tool()
async def add_late_tool(ctx: Context) -> str:
    """Adds the tool `late` and tells the client its tool list changed."""

    def late() -> str:
        """Appeared after a list_changed notification."""
        return "late tool ran"

    mcp.add_tool(late, name="late")
    await ctx.session.send_tool_list_changed()
    return "added"


if __name__ == "__main__":
    # A slow start, for the test that a call's timeout does not count the server's startup.
    time.sleep(float(os.environ.get("PEER_START_DELAY", "0")))
    mcp.run()
