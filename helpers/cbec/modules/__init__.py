"""The course modules, one package each: its simulator, analytics and assignment."""
