// flowreport sampling: flowsample --evaluate's table as a report — the errors of each mode
// against the sampling rate, one chart per metric, and the table itself.
#pragma once
#include <string>

#include "report/report.h"
#include "sample/evaluate.h"

namespace fk {

// source: where the rows came from (a file name, or "<stdin>"), for the report's record.
Report sampling_report(const EvalReport& e, const std::string& source);

}  // namespace fk
