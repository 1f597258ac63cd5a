"""A bare agent loop on the official `openai` SDK: call the model, run its tool calls at once with
asyncio.gather, send the results, repeat until it answers."""
import asyncio
import json

from openai import AsyncOpenAI

from common import Recorder, arguments, run_queries

TOOLS = [{"type": "function", "function": {"name": "wait", "description": "Waits 200 ms.",
                                           "parameters": {"type": "object", "properties": {}}}}]


async def main():
    options = arguments()
    recorder = Recorder(options.timestamps)
    client = AsyncOpenAI(base_url=options.base_url, api_key="compare")

    async def run_one():
        messages = [{"role": "user", "content": "go"}]
        for _ in range(8):
            response = await client.chat.completions.create(model="compare", messages=messages, tools=TOOLS)
            message = response.choices[0].message
            if not message.tool_calls:
                return message.content
            messages.append(message.model_dump(exclude_none=True))
            outputs = await asyncio.gather(*(recorder.wait() for _ in message.tool_calls))
            for call, output in zip(message.tool_calls, outputs):
                messages.append({"role": "tool", "tool_call_id": call.id, "content": json.dumps(output)})
        return None

    await run_queries(options, recorder, run_one)


asyncio.run(main())
