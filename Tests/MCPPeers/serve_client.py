"""Drives `brigade mcp serve` with the official Python SDK's client and prints what it saw as JSON.

Usage: python serve_client.py BRIGADE_BINARY WORKING_DIRECTORY [extra brigade mcp serve arguments]
"""
import asyncio
import json
import sys

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client


async def main():
    binary, folder, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
    params = StdioServerParameters(command=binary, args=["mcp", "serve", *extra], cwd=folder,
                                   env={"PATH": "/usr/bin:/bin", "XDG_CONFIG_HOME": folder + "/.no-xdg",
                                        "XDG_STATE_HOME": folder + "/.state"})
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            info = await session.initialize()
            listed = await session.list_tools()
            tool = await session.call_tool("shout", {"text": "hello"})
            bad = await session.call_tool("shout", {"text": 42})
            hidden = await session.call_tool("wipe", {})
            calls = [session.call_tool("route_pair", {}), session.call_tool("route_pair", {"request": "say a pair"})]
            routes = await asyncio.gather(*calls)

    def text(result):
        return {"text": "\n".join(c.text for c in result.content if c.type == "text"), "isError": result.isError}

    print(json.dumps({
        "server": info.serverInfo.name,
        "tools": sorted(t.name for t in listed.tools),
        "tool": text(tool),
        "bad": text(bad),
        "hidden": text(hidden),
        "routes": [text(r) for r in routes],
    }))


asyncio.run(main())
