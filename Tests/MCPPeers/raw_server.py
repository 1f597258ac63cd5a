"""A hand-written stdio server for Brigade's bad-input tests: python raw_server.py MODE.

silent     reads its input and never answers
exit       exits at once with code 2, after a line on stderr
garbage    writes lines that are not JSON-RPC, then behaves
badschema  lists tools with invalid input schemas beside a valid one
asks       sends the client a request Brigade does not support; `answer` returns the reply it got
"""
import json
import sys

mode = sys.argv[1]
if mode == "exit":
    sys.stderr.write("raw: giving up at once\n")
    sys.exit(2)
if mode == "silent":
    for _ in sys.stdin:
        pass
    sys.exit(0)


def send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def tools():
    good = {"name": "good", "description": "a valid tool", "inputSchema": {"type": "object", "properties": {"x": {"type": "integer"}}}}
    if mode != "badschema":
        return [good, {"name": "answer", "description": "the reply to the server's request", "inputSchema": {"type": "object"}}]
    return [
        good,
        {"name": "not_object", "description": "schema of type string", "inputSchema": {"type": "string"}},
        {"name": "bad_type", "description": "unknown type", "inputSchema": {"type": "object", "properties": {"x": {"type": "nonsense"}}}},
        {"name": "no_schema", "description": "no schema at all"},
    ]


replies = []
if mode == "garbage":
    print("starting up... this line is not JSON-RPC", flush=True)
for line in sys.stdin:
    message = json.loads(line)
    method = message.get("method")
    if "id" in message and method is None:
        replies.append(message)
        continue
    if method == "initialize":
        if mode == "garbage":
            print("{not json either", flush=True)
        send({"jsonrpc": "2.0", "id": message["id"], "result": {
            "protocolVersion": message["params"]["protocolVersion"], "capabilities": {"tools": {}},
            "serverInfo": {"name": "raw-" + mode, "version": "0"}}})
    elif method == "notifications/initialized":
        if mode == "asks":
            send({"jsonrpc": "2.0", "id": "s1", "method": "sampling/createMessage", "params": {}})
            send({"jsonrpc": "2.0", "id": "s2", "method": "ping"})
    elif method == "tools/list":
        send({"jsonrpc": "2.0", "id": message["id"], "result": {"tools": tools()}})
    elif method == "tools/call":
        if message["params"]["name"] == "answer":
            text = json.dumps(replies)
        else:
            text = "good: " + json.dumps(message["params"].get("arguments"))
        send({"jsonrpc": "2.0", "id": message["id"], "result": {"content": [{"type": "text", "text": text}]}})
    elif "id" in message:
        send({"jsonrpc": "2.0", "id": message["id"], "error": {"code": -32601, "message": "no " + str(method)}})
