"""The course website: every module's lectures, executed, as a static site that works offline.

``cbec site`` (``make site``) stages ``course_modules/`` with each assignment's student
version, builds it with Sphinx and MyST-NB, and checks that no page or link is broken.
"""

from cbec.site.build import SiteBuild, SiteError, build_site
from cbec.site.links import broken_links
from cbec.site.modules import CourseModule, course_modules

__all__ = ["SiteBuild", "SiteError", "build_site", "broken_links", "CourseModule", "course_modules"]
