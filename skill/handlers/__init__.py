"""Request handlers, grouped by concern; registered in order by skill.builder."""
