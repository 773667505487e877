#include "template/deploy.hpp"

#include <nlohmann/json.hpp>

#include "log/log.hpp"
#include "sources/endpoints.hpp"
#include "util/json_dump.hpp"

namespace lambdaport::runtime::sam {
namespace {

// Creates the queue, or updates an existing one: CreateQueue refuses a name that exists with
// other attributes, and a restart after the template changed must not fail on that.
std::string make_queue(const sqs::client& client, const config::queue_config& q,
                       std::map<std::string, std::string> attributes) {
    try {
        return client.create_queue(q.name, attributes);
    } catch (const sqs::sqs_error& e) {
        if (e.code() != "QueueAlreadyExists" && e.code() != "QueueNameExists") {
            throw;
        }
    }
    auto url = client.queue_url(q.name);
    attributes.erase("FifoQueue");  // fixed when a queue is made
    if (!attributes.empty()) {
        client.set_queue_attributes(url, attributes);
    }
    return url;
}

}  // namespace

void deploy(const config::stack_config& stack, const sources::source_environment& env) {
    if (stack.template_file.empty()) {
        return;
    }
    if (!stack.buckets.empty()) {
        auto store = sources::open_store(env.storage, env.region);
        for (const auto& bucket : stack.buckets) {
            try {
                store.create_bucket(bucket);
            } catch (const std::exception& e) {
                throw std::runtime_error(stack.template_file + ": bucket " + bucket + ": " +
                                         e.what());
            }
            log::info("deployed", {{"bucket", bucket}, {"storage", store.describe()}});
        }
    }
    if (!stack.queues.empty()) {
        sqs::client client(sources::sqs_settings(env));
        std::map<std::string, std::string> arns;  // queue name → ARN, as the endpoint says
        for (const auto& q : stack.queues) {
            auto attributes = q.attributes;
            std::string url;
            try {
                if (!q.dead_letter_queue.empty() || !q.dead_letter_arn.empty()) {
                    auto target = q.dead_letter_queue.empty() ? q.dead_letter_arn
                                                              : arns.at(q.dead_letter_queue);
                    attributes["RedrivePolicy"] = util::dump_json(nlohmann::json{
                        {"deadLetterTargetArn", target},
                        {"maxReceiveCount", std::to_string(q.max_receive_count)}});
                }
                url = make_queue(client, q, attributes);
                arns[q.name] = client.queue_attributes(url, {"QueueArn"})["QueueArn"];
            } catch (const std::exception& e) {
                throw std::runtime_error(stack.template_file + ": queue " + q.name + ": " +
                                         e.what());
            }
            log::info("deployed", {{"queue", q.name}, {"url", url}, {"arn", arns[q.name]}});
            if (url != q.url) {
                // Handlers got the template's form; SQS-compatible servers take a queue's name
                // from the URL's path, but the account part tells of a mismatch worth knowing.
                log::warn("queue url differs from the template's",
                          {{"queue", q.name},
                           {"template", q.url},
                           {"endpoint", url},
                           {"hint", "!Ref and !GetAtt use the engine's region and account_id"}});
            }
        }
    }
    for (const auto& [key, value] : stack.outputs) {
        log::info("output", {{"key", key}, {"value", value}});
    }
}

}  // namespace lambdaport::runtime::sam
