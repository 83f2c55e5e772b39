// Tests of watch-frame decoding: chunks split at every offset, garbage, oversize and trailing
// frames.
#include "kube/watch_decoder.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kubedbt::kube {
namespace {

std::string frame(const std::string& type, const std::string& name, const std::string& rv) {
  return Json({{"type", type},
               {"object",
                {{"kind", "ConfigMap"},
                 {"metadata", {{"name", name}, {"resourceVersion", rv}}},
                 {"data", {{"k", "line1\nline2 {\"quoted\"}"}}}}}})
      .dump();
}

// "TYPE name rv" for each event, so sequences compare readably.
struct Recorder {
  std::vector<std::string> seen;
  WatchDecoder::Sink sink() {
    return [this](const WatchEvent& event) {
      seen.push_back(std::string(to_string(event.type)) + " " +
                     event.object["metadata"].value("name", "") + " " +
                     event.object["metadata"].value("resourceVersion", ""));
      return WatchControl::Continue;
    };
  }
};

const std::string kStream = frame("ADDED", "a", "1") + "\n" + frame("MODIFIED", "a", "2") +
                            "\n\n" +                                               // blank line
                            "this is not json\n" + R"({"type":"ADDED"})" + "\n" +  // no object
                            R"({"type":"EXPLODED","object":{}})" + "\n" +          // unknown type
                            frame("BOOKMARK", "", "3") + "\r\n" +                  // CRLF
                            frame("DELETED", "a", "4") + "\n";

const std::vector<std::string> kExpected = {"ADDED a 1", "MODIFIED a 2", "BOOKMARK  3",
                                            "DELETED a 4"};

TEST(WatchDecoderTest, WholeStreamInOneChunk) {
  Recorder recorder;
  WatchDecoder decoder(recorder.sink());
  EXPECT_EQ(decoder.feed(kStream), WatchControl::Continue);
  EXPECT_EQ(decoder.finish(), WatchControl::Continue);
  EXPECT_EQ(recorder.seen, kExpected);
  EXPECT_EQ(decoder.malformed_frames(), 3u);
  EXPECT_EQ(decoder.oversize_frames(), 0u);
}

TEST(WatchDecoderTest, SplitIntoTwoChunksAtEveryOffset) {
  for (std::size_t split = 0; split <= kStream.size(); ++split) {
    Recorder recorder;
    WatchDecoder decoder(recorder.sink());
    decoder.feed(std::string_view(kStream).substr(0, split));
    decoder.feed(std::string_view(kStream).substr(split));
    decoder.finish();
    ASSERT_EQ(recorder.seen, kExpected) << "split at " << split;
    ASSERT_EQ(decoder.malformed_frames(), 3u) << "split at " << split;
  }
}

TEST(WatchDecoderTest, SplitIntoThreeChunksAtManyOffsets) {
  for (std::size_t first = 0; first <= kStream.size(); first += 7) {
    for (std::size_t second = first; second <= kStream.size(); second += 13) {
      Recorder recorder;
      WatchDecoder decoder(recorder.sink());
      std::string_view all(kStream);
      decoder.feed(all.substr(0, first));
      decoder.feed(all.substr(first, second - first));
      decoder.feed(all.substr(second));
      decoder.finish();
      ASSERT_EQ(recorder.seen, kExpected) << first << "/" << second;
    }
  }
}

TEST(WatchDecoderTest, OneByteAtATime) {
  Recorder recorder;
  WatchDecoder decoder(recorder.sink());
  for (char c : kStream) decoder.feed(std::string_view(&c, 1));
  decoder.finish();
  EXPECT_EQ(recorder.seen, kExpected);
}

TEST(WatchDecoderTest, TrailingFrameWithoutNewlineIsDecodedOnFinish) {
  Recorder recorder;
  WatchDecoder decoder(recorder.sink());
  std::string last = frame("ADDED", "z", "9");
  decoder.feed(frame("ADDED", "y", "8") + "\n" + last.substr(0, 10));
  decoder.feed(last.substr(10));
  EXPECT_EQ(recorder.seen, std::vector<std::string>{"ADDED y 8"});
  decoder.finish();
  EXPECT_EQ(recorder.seen, (std::vector<std::string>{"ADDED y 8", "ADDED z 9"}));
}

TEST(WatchDecoderTest, TruncatedTrailingFrameIsCountedAsMalformed) {
  Recorder recorder;
  WatchDecoder decoder(recorder.sink());
  decoder.feed(frame("ADDED", "y", "8").substr(0, 20));
  decoder.finish();
  EXPECT_TRUE(recorder.seen.empty());
  EXPECT_EQ(decoder.malformed_frames(), 1u);
}

TEST(WatchDecoderTest, OversizeFrameIsSkippedAtEverySplit) {
  std::string big = frame("ADDED", std::string(400, 'x'), "5");
  std::string stream =
      frame("ADDED", "a", "1") + "\n" + big + "\n" + frame("DELETED", "a", "2") + "\n";
  const std::size_t limit = 200;  // the small frames fit, the big one does not
  ASSERT_LT(frame("DELETED", "a", "2").size(), limit);
  for (std::size_t split = 0; split <= stream.size(); ++split) {
    Recorder recorder;
    WatchDecoder decoder(recorder.sink(), limit);
    decoder.feed(std::string_view(stream).substr(0, split));
    decoder.feed(std::string_view(stream).substr(split));
    decoder.finish();
    ASSERT_EQ(recorder.seen, (std::vector<std::string>{"ADDED a 1", "DELETED a 2"}))
        << "split at " << split;
    ASSERT_EQ(decoder.oversize_frames(), 1u) << "split at " << split;
    ASSERT_EQ(decoder.malformed_frames(), 0u) << "split at " << split;
  }
}

TEST(WatchDecoderTest, OversizeFrameFedByteByByte) {
  std::string stream = std::string(1000, 'z') + "\n" + frame("ADDED", "b", "3") + "\n";
  Recorder recorder;
  WatchDecoder decoder(recorder.sink(), 200);
  for (char c : stream) decoder.feed(std::string_view(&c, 1));
  decoder.finish();
  EXPECT_EQ(recorder.seen, std::vector<std::string>{"ADDED b 3"});
  EXPECT_EQ(decoder.oversize_frames(), 1u);
}

TEST(WatchDecoderTest, OversizeTrailingFrameIsDropped) {
  Recorder recorder;
  WatchDecoder decoder(recorder.sink(), 50);
  decoder.feed(std::string(80, 'q'));
  decoder.finish();
  EXPECT_TRUE(recorder.seen.empty());
  EXPECT_EQ(decoder.oversize_frames(), 1u);
  EXPECT_EQ(decoder.malformed_frames(), 0u);
}

TEST(WatchDecoderTest, StopLeavesTheRestUnread) {
  int calls = 0;
  WatchDecoder decoder([&](const WatchEvent&) {
    ++calls;
    return WatchControl::Stop;
  });
  EXPECT_EQ(decoder.feed(kStream), WatchControl::Stop);
  EXPECT_EQ(calls, 1);
}

TEST(WatchDecoderTest, ErrorEventCarriesTheStatus) {
  std::vector<WatchEvent> events;
  WatchDecoder decoder([&](const WatchEvent& event) {
    events.push_back(event);
    return WatchControl::Continue;
  });
  decoder.feed(R"json({"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired",)json"
               R"json("message":"too old resource version: 5 (90)"}})json"
               "\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, WatchEvent::Type::Error);
  EXPECT_EQ(events[0].object["code"], 410);
}

TEST(ParseWatchEventTest, RejectsNonEvents) {
  WatchEvent event;
  EXPECT_FALSE(parse_watch_event("", event));
  EXPECT_FALSE(parse_watch_event("[1,2]", event));
  EXPECT_FALSE(parse_watch_event(R"({"type":1,"object":{}})", event));
  EXPECT_FALSE(parse_watch_event(R"({"type":"ADDED","object":"text"})", event));
  EXPECT_TRUE(parse_watch_event(R"({"type":"MODIFIED","object":{}})", event));
  EXPECT_EQ(event.type, WatchEvent::Type::Modified);
}

}  // namespace
}  // namespace kubedbt::kube
