// The Slack incoming-webhook payload.
#include "notify/slack.h"

#include <gtest/gtest.h>

namespace kubedbt::notify {
namespace {

Message message() {
  RunOutcome o;
  o.project = "shop";
  o.target = "prod";
  o.run_namespace = "data";
  o.run_name = "nightly-1";
  o.phase = "Failed";
  o.failures.push_back({"model.shop.a", "a", "relation <x> & friends"});
  return compose_message(o, {Event::Failure});
}

TEST(NotifySlack, CarriesTextBlocksAndTheChannelOverride) {
  auto p = slack_payload(message(), "#data-alerts");
  EXPECT_EQ(p["channel"], "#data-alerts");
  auto text = p["text"].get<std::string>();
  EXPECT_EQ(text.rfind("[kubedbt] shop/prod: run data/nightly-1 failed (failure)", 0), 0u) << text;
  ASSERT_EQ(p["blocks"].size(), 3u);
  EXPECT_EQ(p["blocks"][0]["type"], "header");
  EXPECT_EQ(p["blocks"][1]["text"]["type"], "mrkdwn");
  EXPECT_EQ(p["blocks"][2]["elements"][0]["text"], "`kubectl describe dbtrun -n data nightly-1`");
}

TEST(NotifySlack, EscapesMrkdwnControlCharacters) {
  auto p = slack_payload(message(), "");
  auto section = p["blocks"][1]["text"]["text"].get<std::string>();
  EXPECT_NE(section.find("relation &lt;x&gt; &amp; friends"), std::string::npos) << section;
  EXPECT_FALSE(p.contains("channel"));
}

TEST(NotifySlack, KeepsWithinSlackBlockLimits) {
  RunOutcome o;
  o.project = std::string(200, 'p');
  o.phase = "Failed";
  o.message = std::string(5000, 'm');
  auto p = slack_payload(compose_message(o, {Event::Failure}), "");
  EXPECT_LE(p["blocks"][0]["text"]["text"].get<std::string>().size(), 150u);
  EXPECT_LE(p["blocks"][1]["text"]["text"].get<std::string>().size(), 3000u);
}

}  // namespace
}  // namespace kubedbt::notify
