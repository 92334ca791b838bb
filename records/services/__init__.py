"""The rules of Sijil: validation, permissions, workflow, audit. The CLI and the UI call these."""
