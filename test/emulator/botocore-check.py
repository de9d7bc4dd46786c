# Parses and validates the emulator's Personalize answers with botocore, against botocore's own bundled
# model (not the project's fixtures): stdin is a JSON list of {"operation", "status", "body"}; stdout is a
# JSON list of problems (empty when botocore accepts every answer).
import json
import sys

import botocore.session
from botocore.parsers import create_parser
from botocore.validate import ParamValidator

model = botocore.session.get_session().get_service_model("personalize")
parser = create_parser("json")
problems = []
for answer in json.load(sys.stdin):
    operation = model.operation_model(answer["operation"])
    response = {
        "status_code": answer["status"],
        "headers": {"x-amzn-requestid": "x"},
        "body": answer["body"].encode("utf-8"),
    }
    name = answer["operation"]
    if answer["status"] >= 300:
        code = parser.parse(response, operation.output_shape).get("Error", {}).get("Code")
        known = {shape.name for shape in operation.error_shapes}
        if code not in known:
            problems.append(f"{name}: error {code} is not one the model declares ({sorted(known)})")
        continue
    parsed = parser.parse(response, operation.output_shape)
    parsed.pop("ResponseMetadata", None)
    report = ParamValidator().validate(parsed, operation.output_shape)
    if report.has_errors():
        problems.append(f"{name}: {report.generate_report()}")
json.dump(problems, sys.stdout)
