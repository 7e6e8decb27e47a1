"""Use cases of the energy management centre (issue 14): the metering system, readings
(files, HTTP, MQTT), their consumption, rollups and data quality."""
