"""LangGraph: the prebuilt ReAct agent (a model node and a ToolNode, which runs a turn's calls
concurrently) over langchain-openai's ChatOpenAI pointed at the local server."""
import asyncio
import warnings

from langchain_core.tools import tool
from langchain_openai import ChatOpenAI

warnings.filterwarnings("ignore")
from langgraph.prebuilt import create_react_agent  # noqa: E402

from common import Recorder, arguments, run_queries  # noqa: E402


async def main():
    options = arguments()
    recorder = Recorder(options.timestamps)

    @tool
    async def wait() -> str:
        """Waits 200 ms."""
        return await recorder.wait()

    model = ChatOpenAI(model="compare", base_url=options.base_url, api_key="compare")
    agent = create_react_agent(model, [wait], prompt="You are a benchmark.")

    async def run_one():
        state = await agent.ainvoke({"messages": [("user", "go")]})
        return state["messages"][-1].content

    await run_queries(options, recorder, run_one)


asyncio.run(main())
