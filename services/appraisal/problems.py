"""The problem answers each appraisal operation can give (by operationId), read from the code by
`python -m tools.problems`: do not edit by hand; tests/shared/test_problem_docs.py checks it
against what the routes raise."""
ANSWERS: dict[str, tuple[int, ...]] = {
    "appraisal-adjust": (401, 403, 404, 409, 422),
    "appraisal-audit_trail": (401, 403),
    "appraisal-bottom_flag": (401, 403, 404, 409, 422),
    "appraisal-cases": (401,),
    "appraisal-close": (401, 403, 409, 422),
    "appraisal-create_plan": (401, 403, 404, 422),
    "appraisal-decide": (401, 403, 404, 409, 422),
    "appraisal-kpi_definitions": (401, 422),
    "appraisal-new_kpi_version": (401, 403, 422),
    "appraisal-period": (401, 404, 422),
    "appraisal-publish": (401, 403, 409, 422),
    "appraisal-put_targets": (401, 403, 404, 409, 422),
    "appraisal-rankings": (401, 422),
    "appraisal-recompute": (401, 422),
    "appraisal-responsibility": (401, 403, 404, 409),
    "appraisal-score_plan": (401, 404, 422),
    "appraisal-scorecard": (401, 404, 422),
    "appraisal-scorecard_kpi": (401, 404, 422),
    "appraisal-sign": (401, 403, 409, 422),
    "appraisal-sign_target_contract": (401, 409, 422),
}
