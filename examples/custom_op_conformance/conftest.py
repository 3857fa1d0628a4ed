"""Loads the conformance pytest plugin, which collects each test module's ``conformance_records``.

(Installed with ``pip install -e .``, the plugin is also registered through the package's ``pytest11``
entry point; this line makes the example run from a checkout without the entry point too.)"""
pytest_plugins = ["conformance.plugin"]
