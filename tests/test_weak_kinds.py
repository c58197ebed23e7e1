"""A page whose kind is a guess (undated, rounded) takes the vintage its figures match, so a release that has only
its quick report never publishes a row claiming the final bulletin."""
from tasks.contract.catalogue import load_catalogue
from tasks.extraction.process import process_documents
from tasks.ingest.raw import RawDocument
from tasks.publish.reconcile import publish_release

QUICK = ("发布时间:2032-03-10\n国家医保局发布2031年医疗保障事业发展统计快报。2031年,全国基本医疗保险基金总收入36187.42亿元,"
         "基金总支出30211.57亿元,年末基金累计结存52310.66亿元。")
NEWS = ("China's basic medical insurance fund took in 3.62 trillion yuan in 2031, and spent 3.02 trillion yuan, "
        "according to the statistical bulletin on the development of medical security in 2031.")
FINAL = ("发布时间:2032-07-15\n国家医保局发布《2031年全国医疗保障事业发展统计公报》。2031年,全国基本医疗保险基金总收入36420.18亿元,"
         "基金总支出30105.33亿元。")


def run(texts: dict[str, str]):
    raws = [RawDocument(name, text.encode()) for name, text in texts.items()]
    result = process_documents(raws, load_catalogue())
    kinds = dict(zip(result.documents["source_uri"], result.documents["kind"]))
    return kinds, publish_release(2031, result.facts, result.documents, load_catalogue())


def test_rounded_news_matching_the_quick_report_is_the_quick_report():
    kinds, published = run({"quick.txt": QUICK, "news.txt": NEWS})
    assert kinds == {"quick.txt": "quick_report", "news.txt": "quick_report"}
    assert set(published["vintage"]) == {"quick_report"} and set(published["status"]) == {"quick_report"}


def test_rounded_news_matching_the_bulletin_stays_with_the_bulletin():
    news = NEWS.replace("3.62 trillion", "3.64 trillion").replace("3.02 trillion", "3.01 trillion")
    kinds, published = run({"quick.txt": QUICK, "news.txt": news, "final.txt": FINAL})
    assert kinds["news.txt"] == "final_bulletin" and kinds["quick.txt"] == "quick_report"
    revenue = published[(published.indicator_id == "bmi.fund.revenue") & (published.measure == "level")]
    assert revenue["value"].tolist() == [3.642018e12] and revenue["vintage"].tolist() == ["final_bulletin"]


def test_a_lone_figure_of_a_page_whose_kind_is_a_guess_is_unconfirmed():
    guess = "2031年全国医保部门共追回医保基金302.5亿元。"      # no date, no self-description, nobody else states it
    kinds, published = run({"quick.txt": QUICK, "guess.txt": guess})
    row = published[published.indicator_id == "supervision.funds_recovered"]
    assert row["status"].tolist() == ["unconfirmed"]
