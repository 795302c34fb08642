"""Multi-turn environments: tools from plain functions, episodes scored by aha verifiers, TRL adapters."""

from .environment import (
    COMPLETED,
    ENVIRONMENT_ERROR,
    MAX_TURNS,
    MODEL_ERROR,
    PARSE_ERROR,
    RUNNING,
    Environment,
    Step,
    ToolEnvironment,
    prompt_messages,
    tools_prompt,
)
from .episode import Episode, Policy, Rollout, assistant_message, run_episode
from .schema import ToolSchemaError, tool_schema, type_schema
from .tool_calls import ParsedCalls, ToolCall, format_tool_call, parse_tool_calls
from .tools import INVALID_ARGUMENTS, OK, TIMEOUT, TOOL_ERROR, UNKNOWN_TOOL, Tool, ToolOutcome, as_tools, tool
from .trl_adapter import TRLBinding, TRLEnvironment, to_trl

__all__ = [
    "COMPLETED",
    "ENVIRONMENT_ERROR",
    "INVALID_ARGUMENTS",
    "MAX_TURNS",
    "MODEL_ERROR",
    "OK",
    "PARSE_ERROR",
    "RUNNING",
    "TIMEOUT",
    "TOOL_ERROR",
    "UNKNOWN_TOOL",
    "Environment",
    "Episode",
    "ParsedCalls",
    "Policy",
    "Rollout",
    "Step",
    "TRLBinding",
    "TRLEnvironment",
    "Tool",
    "ToolCall",
    "ToolEnvironment",
    "ToolOutcome",
    "ToolSchemaError",
    "as_tools",
    "assistant_message",
    "format_tool_call",
    "parse_tool_calls",
    "prompt_messages",
    "run_episode",
    "tool",
    "tool_schema",
    "tools_prompt",
    "to_trl",
    "type_schema",
]
