#!/usr/bin/env python3
"""moto_server, with the fixes the local cloud needs for moto 5.2.

Step Functions: StartExecution deep-copies the state machine, executions
included, and an execution that has run holds thread locks, which cannot be
copied. moto 5.2 therefore answers 500 to every StartExecution after the
first execution of a state machine has run. The copy only has to freeze the
definition, so it now leaves the executions out.

Step Functions: StopExecution while a task is in flight ended the execution
FAILED, with the task's error, once the task came back failed (the
interpreter's error overwrote the stop); AWS ends it ABORTED whatever the task
does. A stopped execution now stays stopped.

Takes the same arguments as moto_server.
"""

import copy

from moto.server import main
from moto.stepfunctions.models import StateMachineInstance
from moto.stepfunctions.parser.asl.eval.environment import Environment
from moto.stepfunctions.parser.asl.eval.program_state import ProgramStopped


def _deepcopy_without_executions(self, memo):
    clone = self.__class__.__new__(self.__class__)
    memo[id(self)] = clone
    for name, value in self.__dict__.items():
        setattr(clone, name, [] if name == "executions" else copy.deepcopy(value, memo))
    return clone


StateMachineInstance.__deepcopy__ = _deepcopy_without_executions

_set_error = Environment.set_error


def _set_error_unless_stopped(self, error):
    with self._state_mutex:
        if isinstance(self._program_state, ProgramStopped):
            return
        _set_error(self, error)


Environment.set_error = _set_error_unless_stopped

if __name__ == "__main__":
    main()
