"""Pydantic AI: an Agent with one async plain tool over its OpenAI Chat model and provider pointed
at the local server (Pydantic AI runs a response's tool calls concurrently)."""
import asyncio

from pydantic_ai import Agent
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.providers.openai import OpenAIProvider

from common import Recorder, arguments, run_queries


async def main():
    options = arguments()
    recorder = Recorder(options.timestamps)
    model = OpenAIChatModel("compare", provider=OpenAIProvider(base_url=options.base_url, api_key="compare"))
    agent = Agent(model, instructions="You are a benchmark.")

    @agent.tool_plain
    async def wait() -> str:
        """Waits 200 ms."""
        return await recorder.wait()

    async def run_one():
        result = await agent.run("go")
        return result.output

    await run_queries(options, recorder, run_one)


asyncio.run(main())
