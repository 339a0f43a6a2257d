"""Programme evaluation for researchers: participation, balance, effects, DiD, gains, survey.

``prepare`` checks a report's parameters and loads its table; ``evaluate`` computes every
section the parameters ask for; ``analysis/program_evaluation.ipynb`` shows them.
"""

from cbec.evaluation.datasets import BUILTIN, DataSourceError, load_table
from cbec.evaluation.models import EffectResult, ModelError, estimate_effect, event_study
from cbec.evaluation.report import EvaluationReport, evaluate, run_evaluation
from cbec.evaluation.spec import EvaluationSpec, ParameterError, prepare

__all__ = ["BUILTIN", "DataSourceError", "EffectResult", "EvaluationReport", "EvaluationSpec", "ModelError",
           "ParameterError", "estimate_effect", "evaluate", "event_study", "load_table", "prepare",
           "run_evaluation"]
