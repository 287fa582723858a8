// Showing the tape: a table for the terminal and a Graphviz graph (teaching tools, chapter 0).
#include <map>
#include <ostream>
#include <sstream>

#include "attn/record.hpp"

namespace attn {

namespace {

std::string label(const Storage& s) {
    return s.name.empty() ? to_string(shape_of(s.value)) : s.name + " " + to_string(shape_of(s.value));
}

}  // namespace

void Tape::print(std::ostream& out) const {
    std::size_t total = 0;
    out << "  #  op             inputs -> output                          bytes\n";
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        const Node& node = nodes_[i];
        std::ostringstream line;
        for (std::size_t k = 0; k < node.inputs.size(); ++k) {
            line << (k ? " " : "") << label(node.inputs[k].storage());
        }
        line << " -> " << to_string(shape_of(node.output.storage().value));
        const std::size_t bytes = node.output.storage().value.size() * sizeof(real);
        total += bytes;
        char head[64];
        std::snprintf(head, sizeof head, "%3zu  %-14s ", i, node.op);
        char tail[32];
        std::snprintf(tail, sizeof tail, " %10zu", bytes);
        std::string middle = line.str();
        if (middle.size() < 42) middle.resize(42, ' ');
        out << head << middle << tail << '\n';
    }
    out << "  " << nodes_.size() << " nodes, " << total << " bytes of outputs (" << precision_name()
        << ")\n";
}

std::string Tape::to_dot() const {
    // Tensors are boxes (parameters shaded, named ones labelled), ops are ellipses.
    std::ostringstream nodes, edges;
    std::map<const Storage*, std::string> ids;
    auto tensor_id = [&](const Storage& s) {
        auto found = ids.find(&s);
        if (found != ids.end()) return found->second;
        const std::string id = "t" + std::to_string(ids.size());
        ids.emplace(&s, id);
        const bool parameter = s.requires_grad && s.tape_id == 0;
        nodes << "  " << id << " [shape=box, label=\"" << label(s) << "\""
              << (parameter ? ", style=filled, fillcolor=\"#dde8f5\"" : "") << "];\n";
        return id;
    };
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        const Node& node = nodes_[i];
        const std::string op_id = "op" + std::to_string(i);
        nodes << "  " << op_id << " [shape=ellipse, label=\"" << node.op << "\"];\n";
        for (const Tensor& input : node.inputs) {
            const std::string from = tensor_id(input.storage());
            edges << "  " << from << " -> " << op_id << ";\n";
        }
        const std::string to = tensor_id(node.output.storage());
        edges << "  " << op_id << " -> " << to << ";\n";
    }
    return "digraph tape {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n" + nodes.str() +
           edges.str() + "}\n";
}

}  // namespace attn
