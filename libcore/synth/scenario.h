// Attack scenarios mixed into the background: each is a source of conversations with its
// own schedule, attacker and target, labelled in the truth sidecar.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "synth/conversation.h"
#include "synth/traffic.h"

namespace fk::synth {

constexpr uint64_t kNoMoreConversations = ~0ull;

// What the truth sidecar says about a scenario.
struct ScenarioInfo {
    std::string name;      // scan, synflood, ...
    std::string label;     // the name, numbered when a scenario is given more than once
    std::string attacker;  // address(es)
    std::string target;    // address(es)
    uint16_t port = 0;     // targeted service port, 0 for none
    uint64_t start = 0;    // planned window, microseconds
    uint64_t end = 0;
    std::string params;  // the parameters in effect, k=v,...
};

// Phases of scenarios, as the truth sidecar's stage column names them.
#define FK_SYNTH_STAGES(X) \
    X(none, "")            \
    X(probe, "probe")      \
    X(flood, "flood")      \
    X(attempt, "attempt")  \
    X(login, "login")      \
    X(lookup, "lookup")    \
    X(mining, "mining")    \
    X(tunnel, "tunnel")    \
    X(upload, "upload") X(poll, "poll") X(new_peer, "new-peer") X(cover, "cover")
enum class Stage : uint8_t {
#define FK_SYNTH_STAGE_ENUM(id, name) id,
    FK_SYNTH_STAGES(FK_SYNTH_STAGE_ENUM)
#undef FK_SYNTH_STAGE_ENUM
};
std::string_view stage_name(uint8_t stage);

class Scenario {
  public:
    virtual ~Scenario() = default;
    // Start time of the next conversation, kNoMoreConversations when done.
    virtual uint64_t next_start() const = 0;
    // Fills c (id given) as that conversation and moves on.
    virtual void make(Conversation& c, uint64_t id) = 0;
    const ScenarioInfo& info() const { return info_; }
    void set_label(std::string label) { info_.label = std::move(label); }
    void set_params(std::string params) { info_.params = std::move(params); }

  protected:
    ScenarioInfo info_;
};

// Names and one-line descriptions, for --list.
struct ScenarioHelp {
    std::string_view name;
    std::string_view params;
    std::string_view help;
};
const std::vector<ScenarioHelp>& scenario_help();

// Builds a scenario from "NAME[:k=v,...]". label is its index in the truth's scenario
// column (1-based; 0 is background). Throws UsageError for unknown names or parameters.
std::unique_ptr<Scenario> make_scenario(std::string_view spec, uint8_t label, Population& pop,
                                        const TrafficOptions& options);

}  // namespace fk::synth
