"""Supervising a class's practice: who never played, who went idle, who improves, which
decisions lose money, quiz scores, the accounts to chase and the competition team's ranking.

- :mod:`~cbec.supervision.roster` -- the roster and module assignment scores (nbgrader's gradebook).
- :mod:`~cbec.supervision.participation` -- the funnel, never played, idle and the chase list.
- :mod:`~cbec.supervision.practice` -- season-to-season improvement, losing decisions, quiz scores.
- :mod:`~cbec.supervision.selection` -- the selection ranking and its weights.
- :mod:`~cbec.supervision.simulated` -- a seeded simulated class with known truth.
- :mod:`~cbec.supervision.dashboard` -- all of it from the sources, for the report.
"""

from cbec.supervision.dashboard import TrainingDashboard, build_dashboard, load_dashboard
from cbec.supervision.participation import FUNNEL_STAGES, chase_list, funnel_counts, participation
from cbec.supervision.practice import losing_decisions, quiz_scores, season_profits, season_progress
from cbec.supervision.roster import SupervisionError, assignment_scores, load_roster
from cbec.supervision.selection import DEFAULT_WEIGHTS, selection_ranking
from cbec.supervision.simulated import SimulatedClass, simulate_class_activity, simulated_roster

__all__ = ["DEFAULT_WEIGHTS", "FUNNEL_STAGES", "SimulatedClass", "SupervisionError", "TrainingDashboard",
           "assignment_scores", "build_dashboard", "chase_list", "funnel_counts", "load_dashboard", "load_roster",
           "losing_decisions", "participation", "quiz_scores", "season_profits", "season_progress",
           "selection_ranking", "simulate_class_activity", "simulated_roster"]
