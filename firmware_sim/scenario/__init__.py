"""The scenario runner for test rigs: ``ismart-scenario run FILE.yaml`` (see docs/scenarios.md).

:mod:`.spec` reads and checks the files, :mod:`.steps` carries out each kind of step,
:mod:`.phone_steps` the phone's actions, :mod:`.runner` runs them and writes JUnit XML,
:mod:`.launch` starts a system for CI.
"""
