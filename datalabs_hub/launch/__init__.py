"""From what a user picked to what a back end starts: options validation and the pure launch plan."""

from .options import MAX_OPTIONS_BYTES, LaunchOptions, OptionsError, options_from_form, parse_options
from .plan import LaunchPlan, PlannedVolume, build_launch_plan

__all__ = [
    "MAX_OPTIONS_BYTES",
    "LaunchOptions",
    "LaunchPlan",
    "OptionsError",
    "PlannedVolume",
    "build_launch_plan",
    "options_from_form",
    "parse_options",
]
