"""The Live-Stream Analytics quiz: five questions on GPM, deal windows, hosts and engagement."""

from cbec.quizzes.core import Quiz, QuizQuestion

QUIZZES = [Quiz("livestream_analytics", "Live-stream analytics: check yourself", (
    QuizQuestion(
        "gpm",
        "A stream had 40,000 views and a GMV of $18,000 after unpaid orders and refunds. What is its GPM (USD)?",
        answer=18000 * 1000 / 40000, tolerance=0.5, unit="USD",
        mistakes={18000 / 40000: "that is GMV per view; GPM is per thousand views."},
        explanation="GPM = GMV x 1000 / views, the live-stream analogue of a CPM."),
    QuizQuestion(
        "gmv_definition",
        "Which orders count in a stream's GMV, as the module defines it?",
        choices=("every order placed", "paid orders, minus refunds", "orders placed during deals", "carts"),
        answer="paid orders, minus refunds",
        mistakes={"every order placed": "unpaid orders are not sales (the module calls them ordered value)."},
        explanation="GMV = paid order value minus the money refunded on those orders."),
    QuizQuestion(
        "deal_window",
        "A flash deal runs 10:00-10:05. Which minutes does its window cover?",
        choices=("10:00 to 10:05, six minutes", "10:00 to 10:04, five minutes", "10:01 to 10:05, five minutes"),
        answer="10:00 to 10:04, five minutes",
        mistakes={"10:00 to 10:05, six minutes": "the end is exclusive: 10:05 is already after the deal."},
        explanation="Deal windows include their start and exclude their end."),
    QuizQuestion(
        "host_intervals",
        "The same viewers come back to a host's streams. Which intervals for host effects keep their coverage?",
        choices=("the usual cluster-robust ones", "leave-one-stream-out jackknife ones",
                 "the ordinary least squares ones"),
        answer="leave-one-stream-out jackknife ones",
        mistakes={"the usual cluster-robust ones": "with few streams per host they are too narrow and miss the "
                                                   "truth too often."},
        explanation="The jackknife over streams respects that a stream is the unit that repeats."),
    QuizQuestion(
        "comments_sell",
        "Song et al. (2021) report about +0.289% sales per +1% comments. In the module's simulated world, "
        "what do comments do to orders once the audience is held fixed?",
        choices=("raise them by about 0.289% per 1%", "nothing: comments sell nothing there",
                 "lower them"),
        answer="nothing: comments sell nothing there",
        mistakes={"raise them by about 0.289% per 1%": "the published figure is an association: bigger audiences "
                                                        "comment more and buy more."},
        explanation="Held-fixed audience, deals and streams remove the association; the simulator's true effect is 0."),
))]
