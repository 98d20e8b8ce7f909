// flowdetect: behavioural detection over flows (scans, floods, brute force, blacklists,
// mining and the cryptojacking chain, DNS abuse), with Suricata alerts joined in.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>

#include "common/cli.h"
#include "common/error.h"
#include "common/io.h"
#include "common/time.h"
#include "common/tool.h"
#include "detect/config.h"
#include "detect/engine.h"
#include "detect/eve.h"
#include "detect/output.h"
#include "query/input.h"

namespace {

std::atomic<bool> g_reload{false};

void on_hup(int) {
    g_reload = true;
}

}  // namespace

int main(int argc, char** argv) {
    return fk::run_tool("flowdetect", [&]() -> int {
        fk::InputSpec input;
        std::string config_file, methods, format = "json", eve, syslog, exec, state;
        std::vector<std::string> sets, ip_lists, domain_lists;
        double exec_rate = 10;
        bool quiet = false;
        CLI::App app{
            "flowdetect: security events from flows (scan, synflood/dos, bruteforce, blacklist,\n"
            "mining/cryptojacking, dns, volume/exfil, ot). Reads -r FILE, -R DIR or stdin;\n"
            "see man flowdetect."};
        app.get_formatter()->column_width(26);
        app.add_option("-r,--read", input.files, "read a flow file (repeatable)")
            ->allow_extra_args(false);
        app.add_option("-R,--read-dir", input.dirs, "read every flow file below DIR in time order")
            ->allow_extra_args(false);
        app.add_option("-c,--config", config_file, "settings file ([method] key = value)");
        app.add_option("-s,--set", sets, "override a setting: method.key=value (repeatable)")
            ->allow_extra_args(false);
        app.add_option("-m,--methods", methods, "only these methods (comma-separated)");
        app.add_option("-b,--blacklist", ip_lists, "IP list file (repeatable)")
            ->allow_extra_args(false);
        app.add_option("-d,--domains", domain_lists, "domain list file (repeatable)")
            ->allow_extra_args(false);
        app.add_option("-o,--output", format, "json (JSON Lines, default) or text");
        app.add_option("--state", state, "baselines of volume and ot: read, then rewritten");
        app.add_option("--eve", eve, "Suricata eve.json: join alerts, confirm events");
        app.add_option("--syslog", syslog, "also send events: udp://H:P, tcp://H:P, unix:PATH");
        app.add_option("--exec", exec, "run CMD (sh -c) per event, event JSON on stdin");
        app.add_option("--exec-rate", exec_rate, "at most N commands per second (default 10)");
        app.add_flag("--ignore-errors", input.ignore_errors, "skip corrupt blocks with a warning");
        app.add_flag("-q,--quiet", quiet, "no summary on standard error");
        if (const auto done = fk::parse_command_line(app, argc, argv)) return *done;
        if (format != "json" && format != "text")
            throw fk::UsageError("-o: '" + format + "' is neither json nor text");
        fk::detect::DetectConfig cfg;
        if (!config_file.empty()) fk::detect::load_config(config_file, cfg);
        for (const auto& s : sets) {
            const size_t dot = s.find('.'), eq = s.find('=');
            if (dot == std::string::npos || eq == std::string::npos || eq < dot)
                throw fk::UsageError("--set: '" + s + "' is not method.key=value");
            fk::detect::set_config(cfg, s.substr(0, dot), s.substr(dot + 1, eq - dot - 1),
                                   s.substr(eq + 1), "--set " + s);
        }
        if (!methods.empty()) fk::detect::select_methods(cfg, methods);
        fk::detect::check_config(cfg);
        if (!state.empty()) cfg.state = state;
        for (const auto& f : ip_lists) cfg.blacklist.ip_lists.push_back(f);
        for (const auto& f : domain_lists) cfg.blacklist.domain_lists.push_back(f);
        if (exec_rate <= 0) throw fk::UsageError("--exec-rate must be positive");

        std::unique_ptr<fk::detect::EveAlerts> alerts;
        if (!eve.empty()) {
            alerts = std::make_unique<fk::detect::EveAlerts>(cfg.eve.slack * fk::kMicrosPerSecond);
            alerts->load(eve);
        }
        std::unique_ptr<fk::detect::SyslogSender> sys;
        if (!syslog.empty()) sys = std::make_unique<fk::detect::SyslogSender>(syslog);
        std::unique_ptr<fk::detect::ExecAction> action;
        if (!exec.empty()) action = std::make_unique<fk::detect::ExecAction>(exec, exec_rate);

        fk::Output out(STDOUT_FILENO, "standard output");
        const bool text = format == "text";
        fk::detect::Engine engine(cfg, [&](const fk::detect::Event& e) {
            out.write(text ? fk::detect::to_text(e) : fk::detect::to_json(e));
            out.put('\n');
            // Events are rare and someone may be waiting for each one (live input).
            out.flush();
            if (sys) sys->send(e);
            if (action) action->run(e);
        });
        if (alerts) engine.set_alerts(alerts.get());
        struct sigaction sa {};
        sa.sa_handler = on_hup;
        sa.sa_flags = SA_RESTART;
        sigaction(SIGHUP, &sa, nullptr);

        fk::catch_stop_signals();

        fk::FlowInput in(input);
        fk::FlowBlock block;
        // A damaged input, or SIGTERM/SIGINT on live input, ends the input as its end would:
        // the open windows still close and the baselines are saved, so the events of what
        // was read are not lost with them.
        std::string input_error;
        for (;;) {
            try {
                if (!in.next(block)) break;  // also when SIGTERM/SIGINT ended the input
            } catch (const fk::DataError& e) {
                // Nothing read (a missing file, a pcap given for flows): the error is all
                // there is to say, without a summary of zeros before it.
                if (in.blocks_read() == 0) throw;
                input_error = e.what();
                break;
            }
            if (g_reload.exchange(false)) {
                // A list caught half-written by its update must not end a live detector.
                try {
                    engine.reload_lists();
                    if (!quiet) fk::warn("lists reloaded (SIGHUP)");
                } catch (const fk::DataError& e) {
                    fk::warn(std::string(e.what()) + "; the lists in use are kept");
                }
            }
            engine.process(block);
        }
        engine.finish();
        out.flush();
        if (sys) sys->finish();
        if (!quiet) {
            std::string s = std::to_string(engine.flows()) + " flows, " +
                            std::to_string(engine.events()) + " events";
            for (const auto& m : engine.stats())
                s += "; " + m.name + ": " + std::to_string(m.events) + " events, " +
                     std::to_string(m.evictions) + " evicted";
            if (alerts)
                s += "; eve: " + std::to_string(alerts->size()) + " alerts, " +
                     std::to_string(alerts->joined_alerts()) + " joined to flows";
            if (action)
                s += "; exec: " + std::to_string(action->ran()) + " run, " +
                     std::to_string(action->suppressed()) + " rate-limited, " +
                     std::to_string(action->failed()) + " failed";
            std::fprintf(stderr, "flowdetect: %s\n", s.c_str());
        }
        int status = fk::kExitOk;
        if (sys && sys->lost()) {
            std::fprintf(stderr,
                         "flowdetect: --syslog %s: not every event was delivered (%llu of %llu "
                         "sends failed)\n",
                         sys->target().c_str(), static_cast<unsigned long long>(sys->lost()),
                         static_cast<unsigned long long>(sys->sent()));
            status = fk::kExitData;
        }
        if (!input_error.empty()) {
            std::fprintf(stderr, "flowdetect: %s\n", input_error.c_str());
            status = fk::kExitData;
        }
        return status;
    });
}
