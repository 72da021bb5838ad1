#pragma once

// Training the learned strategy's classifier from past assignments, and measuring it. A share of
// the conversations (chosen by a hash of their id, so the split is stable between trainings) is
// held out; the model trained on the rest is scored on them, then the model put to work is
// trained on everything.

#include <memory>
#include <string>
#include <vector>

#include "text_classifier.hpp"

namespace switchboard::routing {

struct LabelledConversation {
  std::string id;
  std::string text;
  std::string agent;
};

struct LearnedModel {
  NaiveBayes classifier;
  std::size_t trainedOn = 0;        ///< Conversations in the final model.
  std::size_t heldOut = 0;          ///< Conversations the accuracy was measured on.
  double accuracy = 0;              ///< Share of held-out conversations whose agent it predicted.
  double majorityAccuracy = 0;      ///< The same for always answering the most frequent agent.
  double chanceAccuracy = 0;        ///< 1 / agents: what round robin or random achieve on average.
};

/// @return null when there are fewer than `minExamples` usable conversations (non-empty text)
/// or fewer than two agents among them.
std::shared_ptr<const LearnedModel> trainLearnedModel(const std::vector<LabelledConversation>& conversations,
                                                      double holdout, std::size_t minExamples);

/// Whether a conversation id falls in the held-out share.
bool heldOut(const std::string& id, double holdout);

}  // namespace switchboard::routing
