"""A hand-written Streamable HTTP MCP server that misbehaves on purpose, for Brigade's tests.

Usage: python raw_http_server.py MODE. Listens on a free port of 127.0.0.1, prints `port N` on
stdout, and answers every POST according to MODE:

  html          an HTML page (200, text/html) to everything
  garbage       200 with Content-Type application/json and a body that is not JSON
  redirect      302 to another host
  endless_events, endless_line, endless_json
                a proper handshake offering the tool `stream`, whose call is answered with an SSE
                stream of notifications that never ends, one SSE line that never ends, or a JSON
                body that never ends
"""
import asyncio
import json
import sys

mode = sys.argv[1]
TOOLS = [{"name": "stream", "description": "Never answers properly.", "inputSchema": {"type": "object", "properties": {}}}]


async def read_request(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method = lines[0].split(" ")[0]
    length = 0
    for line in lines[1:]:
        if line.lower().startswith("content-length:"):
            length = int(line.split(":", 1)[1])
    body = await reader.readexactly(length) if length else b""
    return method, body


def response(status, content_type, body):
    return (f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body


def sse_answer(message):
    body = ("event: message\ndata: " + json.dumps(message) + "\n\n").encode()
    return response("200 OK", "text/event-stream", body)


async def forever(writer, first, piece):
    writer.write(f"HTTP/1.1 200 OK\r\nContent-Type: {first}\r\nConnection: close\r\n\r\n".encode())
    while True:
        writer.write(piece)
        await writer.drain()
        await asyncio.sleep(0.001)


async def handle(reader, writer):
    try:
        while True:
            method, body = await read_request(reader)
            if method != "POST":
                writer.write(response("405 Method Not Allowed", "text/plain", b"no"))
                await writer.drain()
                continue
            if mode == "html":
                writer.write(response("200 OK", "text/html", b"<html><body><h1>Welcome to nginx!</h1></body></html>"))
            elif mode == "garbage":
                writer.write(response("200 OK", "application/json", b"this is not json at all"))
            elif mode == "redirect":
                writer.write(b"HTTP/1.1 302 Found\r\nLocation: http://elsewhere.example/mcp\r\nContent-Length: 0\r\n\r\n")
            else:
                message = json.loads(body)
                name = message.get("method")
                if "id" not in message:
                    writer.write(b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n")
                elif name == "initialize":
                    result = {"protocolVersion": "2025-06-18", "capabilities": {"tools": {}}, "serverInfo": {"name": "raw", "version": "1"}}
                    writer.write(sse_answer({"jsonrpc": "2.0", "id": message["id"], "result": result}))
                elif name == "tools/list":
                    writer.write(sse_answer({"jsonrpc": "2.0", "id": message["id"], "result": {"tools": TOOLS}}))
                elif mode == "endless_events":
                    note = {"jsonrpc": "2.0", "method": "notifications/message", "params": {"level": "info", "data": "x" * 200}}
                    await forever(writer, "text/event-stream", ("event: message\ndata: " + json.dumps(note) + "\n\n").encode())
                elif mode == "endless_line":
                    await forever(writer, "text/event-stream", b"data: " + b"y" * 65536)
                elif mode == "endless_json":
                    await forever(writer, "application/json", b'{"jsonrpc": "2.0", "id": ' + b"1" * 65536)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(f"port {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
