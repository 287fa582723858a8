// The sequence-to-sequence tasks and their batches (see attn/seq2seq/tasks.hpp).
#include "attn/seq2seq/tasks.hpp"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "attn/data/loaders.hpp"
#include "attn/data/shipped.hpp"
#include "attn/data/text.hpp"

namespace attn {

// ---- data ---------------------------------------------------------------------------------------

namespace {

std::vector<Seq2SeqExample> read_pairs(const std::string& path, bool characters) {
    std::vector<Seq2SeqExample> out;
    for (const SentencePair& p : load_parallel_tsv(path)) {
        if (characters) {
            out.push_back({split_characters(p.source), split_characters(p.target), {}, {}});
        } else {
            out.push_back({split_words(p.source, false), split_words(p.target, false), {}, {}});
        }
    }
    return out;
}

std::vector<Seq2SeqExample> read_aligned(const std::string& path) {
    std::vector<Seq2SeqExample> out;
    for (AlignedPair& p : load_aligned_pairs(path)) {
        out.push_back({std::move(p.source), std::move(p.target), std::move(p.links), std::move(p.possible)});
    }
    return out;
}

Vocabulary vocabulary_of(const std::vector<Seq2SeqExample>& examples, bool source, std::size_t min_count) {
    std::vector<Tokens> corpus;
    for (const Seq2SeqExample& e : examples) corpus.push_back(source ? e.source : e.target);
    return Vocabulary::build(corpus, min_count);
}

}  // namespace

Seq2SeqData load_seq2seq_data(const std::string& task, const std::string& datasets, std::size_t max_train,
                              std::uint64_t seed) {
    Seq2SeqData data;
    data.task = task;
    std::size_t min_count = 1;  // words seen fewer times in training become <unk> (real text: its rare words)
    const std::string root = datasets + "/";
    if (task == "dates") {
        data.characters = true;
        data.train = read_pairs(root + "dates/train.tsv", true);
        data.valid = read_pairs(root + "dates/valid.tsv", true);
        data.test = read_pairs(root + "dates/test.tsv", true);
    } else if (task == "toy") {
        data.train = read_aligned(root + "toy_translation/train.tsv");
        data.valid = read_aligned(root + "toy_translation/valid.tsv");
        data.test = read_aligned(root + "toy_translation/test.tsv");
    } else if (task == "copy" || task == "reverse" || task == "sort") {
        const std::string dir = root + "sequences/" + task + "/";
        data.train = read_pairs(dir + "train.tsv", false);
        data.valid = read_pairs(dir + "valid.tsv", false);
        std::vector<std::string> files;
        for (const auto& entry : std::filesystem::directory_iterator(dir)) {
            const std::string name = entry.path().filename().string();
            if (name.rfind("test_", 0) == 0) files.push_back(name);
        }
        std::sort(files.begin(), files.end());
        for (const std::string& f : files) {
            data.bucket_names.push_back(f.substr(5, f.size() - 9));  // "test_05-14.tsv" -> "05-14"
            data.test_buckets.push_back(read_pairs(dir + f, false));
            data.test.insert(data.test.end(), data.test_buckets.back().begin(), data.test_buckets.back().end());
        }
    } else if (task == "bible") {  // English -> Spanish verses with Strong's-number alignments
        data.train = read_aligned(root + "bible/train.tsv");
        data.valid = read_aligned(root + "bible/valid.tsv");
        data.test = read_aligned(root + "bible/test.tsv");
        min_count = 2;
    } else if (task == "tatoeba" || std::filesystem::exists(task)) {  // a Tatoeba-format file: shuffle, then 90/5/5
        // the shipped sample splits the same way whatever --seed says, so runs compare on one test set
        const std::string path = task == "tatoeba" ? root + "tatoeba/eng-fra-5k.tsv" : task;
        if (task == "tatoeba") seed = 1;
        std::vector<Seq2SeqExample> all = read_pairs(path, false);
        for (Seq2SeqExample& e : all) {
            for (Tokens* side : {&e.source, &e.target})
                for (std::string& t : *side) t = to_lower(t);  // "Êtes-vous" = "êtes-vous"
        }
        Rng rng(seed);
        const std::vector<std::size_t> order = shuffled_indices(all.size(), rng);
        const std::size_t n_valid = std::max<std::size_t>(1, all.size() / 20), n_test = n_valid;
        if (all.size() < 3 * n_valid + 1) throw std::runtime_error(path + ": too few sentence pairs to split (" + std::to_string(all.size()) + ")");
        for (std::size_t i = 0; i < order.size(); ++i) {
            auto& split = i < n_valid ? data.valid : i < n_valid + n_test ? data.test : data.train;
            split.push_back(all[order[i]]);
        }
    } else if (task.find('/') != std::string::npos || task.find('.') != std::string::npos) {
        throw std::runtime_error(task + ": no such file (--task takes dates, toy, copy, reverse, sort, tatoeba, bible, or a file)");
    } else {
        throw std::invalid_argument("unknown task '" + task +
                                    "': use dates, toy, copy, reverse, sort, tatoeba, bible, or the path of a source<TAB>target file");
    }
    if (max_train > 0 && data.train.size() > max_train) data.train.resize(max_train);
    data.source_vocabulary = vocabulary_of(data.train, true, min_count);
    data.target_vocabulary = vocabulary_of(data.train, false, min_count);
    return data;
}

PairBatch make_pair_batch(const std::vector<std::vector<int>>& sources, const std::vector<std::vector<int>>& targets) {
    if (sources.size() != targets.size()) {
        throw std::invalid_argument("make_pair_batch: " + std::to_string(sources.size()) + " sources but " +
                                    std::to_string(targets.size()) + " targets");
    }
    std::vector<std::vector<int>> inputs, outputs;
    PairBatch batch;
    for (const std::vector<int>& target : targets) {
        std::vector<int> in{Vocabulary::bos}, out = target;  // reads <bos> y_1 .. y_T, predicts y_1 .. y_T <eos>
        in.insert(in.end(), target.begin(), target.end());
        out.push_back(Vocabulary::eos);
        batch.target_lengths.push_back(int(out.size()));
        batch.target_tokens += out.size();
        inputs.push_back(std::move(in));
        outputs.push_back(std::move(out));
    }
    batch.source = pad_batch(sources, Vocabulary::pad);
    batch.target_in = pad_batch(inputs, Vocabulary::pad).ids;
    batch.target_out = pad_batch(outputs, Vocabulary::pad).ids;
    return batch;
}

PairBatch make_pair_batch(const std::vector<Seq2SeqExample>& examples, const std::vector<std::size_t>& indices,
                          const Vocabulary& source_vocabulary, const Vocabulary& target_vocabulary) {
    std::vector<std::vector<int>> sources, targets;
    for (std::size_t i : indices) {
        sources.push_back(source_vocabulary.encode(examples[i].source));
        targets.push_back(target_vocabulary.encode(examples[i].target));
    }
    return make_pair_batch(sources, targets);
}

std::vector<std::vector<std::size_t>> batches_by_source_length(const std::vector<Seq2SeqExample>& examples,
                                                               std::size_t batch_size, Rng* rng) {
    std::vector<std::size_t> lengths;
    for (const Seq2SeqExample& e : examples) lengths.push_back(e.source.size());
    return make_batches(lengths, batch_size, true, rng);
}

std::string task_folder_name(const std::string& task) {
    const std::filesystem::path path(task);
    return path.has_stem() ? path.stem().string() : task;
}

}  // namespace attn
