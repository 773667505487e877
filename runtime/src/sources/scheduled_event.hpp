#pragma once

// The event an EventBridge schedule rule sends to its target, as Lambda receives it.

#include <chrono>
#include <string>

namespace lambdaport::runtime::sources {

/// `YYYY-MM-DDTHH:MM:SSZ`: how EventBridge writes an event's time (UTC, whole seconds).
std::string event_time(std::chrono::system_clock::time_point t);

/// `arn:aws:events:<region>:<account>:rule/<rule>`.
std::string rule_arn(const std::string& region, const std::string& account,
                     const std::string& rule);

/// The Scheduled Event JSON text, with EventBridge's keys in EventBridge's order:
/// {"version":"0","id":<id>,"detail-type":"Scheduled Event","source":"aws.events",
///  "account":<account>,"time":<time>,"region":<region>,"resources":[<rule ARN>],"detail":{}}.
/// `time` is when the rule was due, not when the event was sent.
std::string make_scheduled_event(const std::string& id, std::chrono::system_clock::time_point time,
                                 const std::string& region, const std::string& account,
                                 const std::string& rule);

}  // namespace lambdaport::runtime::sources
