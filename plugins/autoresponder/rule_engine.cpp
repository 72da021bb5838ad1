#include "rule_engine.hpp"

#include <algorithm>
#include <cctype>

#include "reply_parameters.hpp"
#include "text_fold.hpp"

namespace switchboard::autoresponder {
namespace {

bool listed(const std::vector<std::string>& list, const std::string& value) {
  return list.empty() || std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

RuleEngine::RuleEngine(RuleBook book, std::size_t maxTextBytes, int maxReplies)
    : book_(std::move(book)),
      maxTextBytes_(maxTextBytes),
      maxReplies_(maxReplies),
      faq_(book_.faqSettings.stopwords) {
  for (std::size_t i = 0; i < book_.rules.size(); ++i) {
    const auto& r = book_.rules[i];
    if (!r.enabled) {
      continue;
    }
    switch (r.kind) {
      case RuleKind::Keyword: keywords_.add(i, r.mode, r.keywords); break;
      case RuleKind::Regex: regexRules_.push_back(i); break;
      case RuleKind::Greeting: greetingRules_.push_back(i); break;
      case RuleKind::Away: awayRules_.push_back(i); break;
    }
  }
  for (std::size_t e = 0; e < book_.faq.size(); ++e) {
    for (const auto& q : book_.faq[e].questions) {
      faq_.add(e, foldText(q, maxTextBytes_));
    }
  }
  faq_.finish();
}

bool RuleEngine::eligible(const Rule& rule, const Situation& s, const std::vector<std::string_view>& words) const {
  if (!listed(rule.accounts, s.message->account) || (!rule.teams.empty() && !listed(rule.teams, s.team))) {
    return false;
  }
  for (const auto& phrase : rule.exclude) {
    if (containsPhrase(words, phrase)) {
      return false;
    }
  }
  return !(rule.cooldown.count() > 0 && s.coolingDown && s.coolingDown(rule.name, rule.cooldown));
}

sdk::Result<PlannedReply> RuleEngine::render(const ReplySpec& spec, const std::string& name, const Situation& s,
                                             const Captures* captures, const BusinessHours* schedule) const {
  ParameterSources sources;
  sources.message = s.message;
  sources.conversation = s.conversation;
  sources.params = &spec.params;
  sources.captures = captures;
  sources.schedule = schedule;
  sources.now = s.now;
  sources.contact = s.contact;
  auto lookup = [&](const std::string& p) { return lookupParameter(sources, p); };
  auto explain = [&](const std::string& p) { return explainMissingParameter(sources, p); };

  PlannedReply out;
  out.rule = name;
  std::string text;
  if (spec.text) {
    auto r = spec.text->render(lookup, "rule \"" + name + "\"", explain);
    SB_TRY(r);
    text = std::move(r).value();
  } else if (!spec.templateName.empty()) {
    const std::string what = "template \"" + spec.templateName + "\" (rule \"" + name + "\")";
    std::optional<TextTemplate> stored;
    const TextTemplate* t = nullptr;
    if (auto it = book_.templates.find(spec.templateName); it != book_.templates.end()) {
      t = &it->second;
    } else if (auto body = s.storedTemplate ? s.storedTemplate(spec.templateName) : std::nullopt) {
      auto parsed = TextTemplate::parse(*body);
      if (!parsed.ok()) {
        return sdk::Error::permanent("template.syntax", what + ": " + parsed.error().message);
      }
      stored = std::move(parsed).value();
      t = &*stored;
    } else {
      return sdk::Error::permanent("template.not_found",
                                   what + " is neither in `templates` nor stored for tenant \"" +
                                       s.message->tenant + "\"; the reply was not sent");
    }
    auto r = t->render(lookup, what, explain);
    SB_TRY(r);
    text = std::move(r).value();
  }
  if (spec.media) {
    sdk::Media m;
    m.ref = spec.media->ref;
    m.mimeType = spec.media->mimeType;
    m.fileName = spec.media->fileName;
    if (!spec.media->caption.empty()) {
      auto r = spec.media->caption.render(lookup, "caption of rule \"" + name + "\"", explain);
      SB_TRY(r);
      m.caption = std::move(r).value();
    } else {
      m.caption = std::move(text);
    }
    text.clear();
    out.media = std::move(m);
  } else if (text.empty()) {
    return sdk::Error::permanent("template.empty", "rule \"" + name + "\": the reply text came out empty; not sent");
  }
  out.text = std::move(text);
  return out;
}

Decision RuleEngine::decide(const Situation& s) const {
  Decision d;
  const auto& m = *s.message;
  const std::string_view raw = utf8Prefix(m.text.empty() && m.media ? m.media->caption : m.text, maxTextBytes_);
  const std::string folded = foldText(raw, maxTextBytes_);
  const auto words = splitWords(folded);

  std::vector<Candidate> candidates;
  auto consider = [&](std::size_t index, Captures captures = {}) {
    const auto& rule = book_.rules[index];
    if (eligible(rule, s, words)) {
      candidates.push_back({rule.priority, index, index, std::move(captures)});
    }
  };

  std::vector<std::size_t> hits;
  keywords_.match(folded, words, hits);
  for (auto i : hits) {
    consider(i);
  }
  if (!raw.empty()) {
    // Lower-cased once: a rule whose required literal is absent cannot match and is not run.
    std::string lower(raw);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char ch) { return static_cast<char>(ch < 0x80 ? std::tolower(ch) : ch); });
    for (auto i : regexRules_) {
      const auto& literal = book_.rules[i].regex->literal();
      if (!literal.empty() && lower.find(literal) == std::string::npos) {
        continue;
      }
      Captures captures;
      switch (book_.rules[i].regex->match(raw, &captures)) {
        case RegexPattern::Outcome::Match: consider(i, std::move(captures)); break;
        case RegexPattern::Outcome::LimitExceeded:
          d.errors.push_back(sdk::Error::permanent(
              "regex.limit", "rule \"" + book_.rules[i].name + "\": matching gave up at its step limit; no match"));
          break;
        case RegexPattern::Outcome::NoMatch: break;
      }
    }
  }
  for (auto i : greetingRules_) {
    const auto& rule = book_.rules[i];
    const bool fresh = !s.previousActivity && rule.onNewConversation;
    const bool returning = s.previousActivity && rule.returningAfter.count() > 0 &&
                           s.now - *s.previousActivity >= rule.returningAfter.count();
    if (fresh || returning) {
      consider(i);
    }
  }
  for (auto i : awayRules_) {
    if (!book_.schedules[book_.rules[i].schedule].isOpen(s.now)) {
      consider(i);
    }
  }
  const auto& faq = book_.faqSettings;
  if ((faq_.questions() > 0 || faq.fallback) && listed(faq.accounts, m.account)) {
    candidates.push_back({faq.priority, book_.rules.size(), kFaq, {}});
  }
  std::stable_sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return a.priority != b.priority ? a.priority > b.priority : a.order < b.order;
  });

  bool fallbackWanted = false;
  for (const auto& c : candidates) {
    if (static_cast<int>(d.replies.size()) >= maxReplies_) {
      break;
    }
    if (c.rule == kFaq) {
      auto hit = faq_.best(words);
      if (hit) {
        d.faqConfidence = hit->confidence;
      }
      if (!hit || hit->confidence < faq.threshold) {
        fallbackWanted = faq.fallback.has_value();
        continue;
      }
      const auto& entry = book_.faq[hit->entry];
      auto r = render(entry.reply, "faq:" + entry.id, s, nullptr, nullptr);
      if (!r.ok()) {
        d.errors.push_back(r.takeError());
        continue;
      }
      r->kind = "faq";
      d.replies.push_back(std::move(r).value());
      if (!faq.continueAfter) {
        break;
      }
      continue;
    }
    const auto& rule = book_.rules[c.rule];
    const BusinessHours* schedule = rule.kind == RuleKind::Away ? &book_.schedules[rule.schedule] : nullptr;
    auto r = render(rule.reply, rule.name, s, rule.kind == RuleKind::Regex ? &c.captures : nullptr, schedule);
    if (!r.ok()) {
      d.errors.push_back(r.takeError());
      continue;  // as if the rule had not matched: the next one may still answer
    }
    r->kind = toString(rule.kind);
    r->cooldown = rule.cooldown;
    d.replies.push_back(std::move(r).value());
    if (!rule.continueAfter) {
      break;
    }
  }
  if (d.replies.empty() && fallbackWanted) {
    auto r = render(*faq.fallback, "faq:fallback", s, nullptr, nullptr);
    if (r.ok()) {
      r->kind = "fallback";
      d.replies.push_back(std::move(r).value());
    } else {
      d.errors.push_back(r.takeError());
    }
  }
  return d;
}

}  // namespace switchboard::autoresponder
