"""The checks of the lessons' exercises: one module per lesson (lessonNN.py), each registering
its exercises with ``glassnet.lessons.exercises.exercise``."""
