// The detection engine: flows go in a block at a time, every enabled method updates its
// bounded per-host state in one pass over the block's columns, and events come out through a
// callback when a method's window for a host closes (or at finish()).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "detect/config.h"
#include "detect/event.h"
#include "record/flow_block.h"

namespace fk::detect {

class EveAlerts;
struct Rows;
class Method;

struct MethodStats {
    std::string name;
    uint64_t events = 0;
    uint64_t evictions = 0;
    uint64_t entries = 0;  // state entries held now
};

class Engine {
  public:
    using Sink = std::function<void(const Event&)>;
    Engine(const DetectConfig& config, Sink sink);
    ~Engine();

    // Alerts of Suricata to join to flows and to confirm events with (owned by the caller,
    // must outlive the engine).
    void set_alerts(EveAlerts* alerts);
    void process(FlowBlock& b);
    // Closes every open window (end of input), passes the unmatched alerts through and writes
    // the baselines to the state file (when there is one).
    void finish();
    // Re-reads the IP and domain lists (SIGHUP).
    void reload_lists();

    uint64_t flows() const { return flows_; }
    uint64_t events() const { return events_; }
    std::vector<MethodStats> stats() const;

    // For the methods: hands an event on (eve confirmation, cryptojacking chain, sink).
    void emit(Event&& e);
    const DetectConfig& config() const { return config_; }

  private:
    void chain(const Event& e);
    void load_state();
    void save_state();
    DetectConfig config_;
    Sink sink_;
    EveAlerts* alerts_ = nullptr;
    std::vector<std::unique_ptr<Method>> methods_;
    std::string other_state_;  // state lines of the methods not enabled, kept as they were
    uint64_t flows_ = 0, events_ = 0;
    uint64_t now_ = 0;
    struct ChainState;
    std::unique_ptr<ChainState> chain_;
};

}  // namespace fk::detect
