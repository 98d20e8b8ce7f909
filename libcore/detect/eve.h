// Suricata alerts (eve.json, event_type "alert") joined to flows and to flowdetect's events.
// flowkit's records carry no Suricata flow_id, so an alert joins a flow by its 5-tuple (either
// direction) and time: the alert (or the start of Suricata's flow, which alerts raised at flow
// timeout need) lies within the flow's [start, end], give or take the slack.
// An event is confirmed by the alerts between its source and target (either one when the
// event names only one) in its time range; alerts that confirm no event pass through as
// events of method "suricata", one per signature and 5-tuple.
#pragma once
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "detect/event.h"
#include "detect/state.h"

namespace fk::detect {

struct Rows;

struct Alert {
    uint64_t time = 0;
    uint64_t flow_start = 0;  // Suricata's flow.start, when given
    IpAddr src, dst;
    uint16_t sport = 0, dport = 0;
    uint8_t proto = 0;
    uint8_t severity = 3;
    uint32_t sid = 0;
    std::string signature, category;
    uint64_t flows = 0;                               // joined flows
    uint64_t flow_first = UINT64_MAX, flow_last = 0;  // their start times
    bool used = false;                                // confirmed an event
};

class EveAlerts {
  public:
    explicit EveAlerts(uint64_t slack_us) : slack_(slack_us) {}
    // Reads every alert of an eve.json file, plain or gzip-compressed (other event types are
    // skipped); DataError "FILE:LINE: ..." on a line that is not a JSON object.
    void load(const std::string& path);
    size_t size() const { return alerts_.size(); }
    const std::vector<Alert>& alerts() const { return alerts_; }
    uint64_t joined_alerts() const;

    void join(const Rows& r);
    // Marks the alerts that confirm e and returns how many there are.
    uint64_t confirm(Event& e);
    // The alerts that confirmed nothing, grouped by signature and 5-tuple.
    std::vector<Event> unmatched();

  private:
    static Key tuple_key(const IpAddr& a, uint16_t pa, const IpAddr& b, uint16_t pb, uint8_t proto);
    uint64_t slack_;
    std::vector<Alert> alerts_;
    std::unordered_map<Key, std::vector<uint32_t>, KeyHash> by_tuple_;
    std::unordered_map<Key, std::vector<uint32_t>, KeyHash> by_pair_;
    std::unordered_map<Key, std::vector<uint32_t>, KeyHash> by_host_;
};

}  // namespace fk::detect
