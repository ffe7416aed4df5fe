"""A plugin module that cannot be imported."""

raise ImportError("No module named 'a_dependency_nobody_installed'")
