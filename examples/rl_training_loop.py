#!/usr/bin/env python3
"""A stand-in for a reinforcement-learning training loop, to watch modelvaultd at work.

Every `--save-every` episodes it evaluates the agent and saves, like most RL codebases do:
first the metrics file, then the model file (atomically: write a temporary file, then
rename). modelvaultd backs the model up once it has settled, reads the metrics, and
makes a minor version tagged `best` whenever the win rate beats the best so far by 5 %.

    python3 examples/rl_training_loop.py var/models/pacman --episodes 5000
"""
import argparse
import json
import os
import pickle
import random
import time


def save_atomically(path, data: bytes):
    tmp = path + ".partial"          # excluded by the default exclude patterns
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", help="a folder modelvaultd watches")
    parser.add_argument("--episodes", type=int, default=5000)
    parser.add_argument("--save-every", type=int, default=1000)
    parser.add_argument("--pause", type=float, default=3.0, help="seconds between saves")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    os.makedirs(args.folder, exist_ok=True)
    rng = random.Random(args.seed)
    weights = [rng.gauss(0.0, 0.02) for _ in range(50_000)]
    win_rate = 0.30
    with open(os.path.join(args.folder, "config.json"), "w") as f:
        json.dump({"observation_space_shape": [84, 84, 4], "action_space_shape": [9],
                   "policy_architecture": "dqn-cnn"}, f)

    for episode in range(args.save_every, args.episodes + 1, args.save_every):
        weights = [w + rng.gauss(0.0, 0.001) for w in weights]      # "training"
        win_rate = max(0.0, min(1.0, win_rate + rng.uniform(-0.04, 0.12)))
        metrics = {"episode": episode, "eval": {"win_rate": round(win_rate, 3),
                                                 "mean_return": round(100 * win_rate, 1)}}
        save_atomically(os.path.join(args.folder, "dqn.metrics.json"),
                        json.dumps(metrics).encode())
        save_atomically(os.path.join(args.folder, "dqn.pkl"),
                        pickle.dumps({"episode": episode, "weights": weights}, protocol=4))
        print(f"episode {episode}: win_rate {win_rate:.3f} saved")
        time.sleep(args.pause)


if __name__ == "__main__":
    main()
