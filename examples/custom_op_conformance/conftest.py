"""Loads the conformance pytest plugin, which collects each test module's ``conformance_records``.

(The package declares no ``pytest11`` entry point: pytest would then rewrite the asserts of every mygrad
module, so this line is how a test directory turns the plugin on.)"""
pytest_plugins = ["conformance.plugin"]
