// The event flows of flowsample --evaluate taken from flowdetect's output: every event carries a
// flowquery filter that selects its evidence flows; together they define the event.
#pragma once
#include <string>

namespace fk {

// Reads flowdetect's JSON Lines events from path and returns the OR of their distinct
// `filter`s ("" when there are no events). A line that is not an event with a filter is a
// DataError naming path:line.
std::string event_filter_from_events(const std::string& path);

}  // namespace fk
