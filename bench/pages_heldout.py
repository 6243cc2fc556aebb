"""Held-out Chinese news-page templates for evaluating the page cleaner.

Written independently of the cleaner. Each template: func(a, hot, rel, rng) ->
{"head": [...], "meta": [...], "foot": [...]}; page = head + [title] + meta +
a["paras"] + foot.
"""


def _ymd(a):
    y, m, d = a["date"].split("-")
    return y, m, d


def _hm(rng, sec=False):
    s = "%02d:%02d" % (rng.randint(6, 22), rng.randint(0, 59))
    return s + (":%02d" % rng.randint(0, 59) if sec else "")


def _name(rng):
    return rng.choice("王李张刘陈杨赵黄周吴") + rng.choice(
        ["晓明", "丽", "海涛", "静", "建国", "雪", "志强", "婷婷", "磊", "一凡"])


def provincial_portal(a, hot, rel, rng):
    """大众网/荆楚网-style provincial portal."""
    y, m, d = _ymd(a)
    site = rng.choice(["齐鲁在线", "荆楚新闻网", "中原网"])
    head = [
        "%s | 登录 | 注册 | 手机版 | 设为首页 | 加入收藏" % site,
        "首页 新闻 时政 社会 财经 教育 文旅 健康 房产 汽车 视频 专题",
        "省内 | 市县 | 国内 | 国际 | 评论 | 图片",
        "今日 %s年%s月%s日 星期%s 多云转晴 18℃~27℃" % (y, m, d, rng.choice("一二三四五六日")),
        "%s > 新闻中心 > 社会民生 > 正文" % site,
    ]
    meta = [
        "%s-%s-%s %s  来源：%s  作者：%s" % (y, m, d, _hm(rng, True),
                                       rng.choice(["%s日报" % site[:2], site, "新华社"]), _name(rng)),
        "字号：大 中 小  打印本页  关闭窗口",
    ]
    foot = [
        "（责任编辑：%s）" % _name(rng),
        "分享到：微信 微博 QQ空间",
        "相关新闻",
    ] + ["· " + h for h in rel] + [
        "热点推荐",
    ] + ["%d %s" % (i + 1, h) for i, h in enumerate(hot)] + [
        "网友评论",
        "请遵守互联网相关政策法规，严禁发布色情、暴力、反动的言论。网友评论仅供其表达个人看法，并不表明本网同意其观点或证实其描述。",
        "关于我们 | 广告服务 | 联系方式 | 网站地图 | 法律声明 | 招聘信息",
        "%s版权所有，未经书面授权禁止复制或建立镜像。" % site,
        "互联网新闻信息服务许可证：%d号  鲁ICP备%08d号-1" % (rng.randint(37120170000, 37120179999), rng.randint(1, 99999999)),
        "鲁公网安备 %d号  违法和不良信息举报电话：0531-%d" % (rng.randint(37010202000000, 37010209999999), rng.randint(80000000, 89999999)),
        "地址：济南市历下区泺源大街%d号  邮编：250011" % rng.randint(1, 200),
    ]
    return {"head": head, "meta": meta, "foot": foot}


def central_media(a, hot, rel, rng):
    """人民网/光明网-style central-media article page."""
    y, m, d = _ymd(a)
    site = rng.choice(["人民网", "光明网", "央广网"])
    head = [
        "%s >> 社会·法治" % site,
        "%s  |  English  日本語  Français  |  客户端  |  微博  |  微信" % site,
        "首页 时政 国际 财经 社会 文化 科技 教育 健康 体育 理论 评论 强国论坛",
        "%s首页 > 社会频道" % site,
    ]
    meta = [
        "%s年%s月%s日%s  来源：%s" % (y, m, d, _hm(rng), rng.choice(["%s-人民日报" % site, "光明日报", "经济日报"])),
        "分享到：",
    ]
    if rng.random() < 0.5:
        meta.insert(0, "本报记者 %s %s" % (_name(rng), _name(rng)))
    foot = [
        "(责编：%s、%s)" % (_name(rng), _name(rng)),
        "分享让更多人看到",
        "推荐阅读",
    ] + rel + [
        "热门排行",
    ] + hot + [
        "%s版权所有，未经书面授权禁止使用" % site,
        "Copyright © 1997-%s by www.%s.com.cn. all rights reserved" % (y, rng.choice(["people", "gmw", "cnr"])),
        "人民网服务条款 | 关于人民网 | 报社介绍 | 招聘英才 | 广告服务 | 合作加盟 | 供稿服务 | 网站声明 | 网站地图 | 设为首页 | 留言板",
        "京ICP证000006号  京公网安备11000002000008号  增值电信业务经营许可证B1-20060110",
    ]
    return {"head": head, "meta": meta, "foot": foot}


def county_gov(a, hot, rel, rng):
    """County government 政务公开 page."""
    y, m, d = _ymd(a)
    county = rng.choice(["临泉县", "长丰县", "宁乡市", "曲阳县"])
    head = [
        "%s人民政府" % county,
        "无障碍 | 长者模式 | 繁体版 | 手机版 | 政务微博 | 政务微信",
        "首页 走进%s 政务公开 政务服务 互动交流 专题专栏" % county[:-1],
        "请输入关键词 搜索",
        "当前位置：首页 > 政务公开 > 政务动态 > 部门动态",
        "索引号：%s-%s-%06d  发布机构：%s人民政府办公室" % (rng.randint(11340000, 11349999), y, rng.randint(1, 999999), county),
        "信息分类：工作动态  公开方式：主动公开  生成日期：%s-%s-%s" % (y, m, d),
    ]
    meta = [
        "发布时间：%s/%d/%d  信息来源：%s%s  浏览次数：%d" % (y, int(m), int(d), county,
                                              rng.choice(["农业农村局", "教育局", "融媒体中心"]), rng.randint(30, 3000)),
        "【字体：大 中 小】  【打印】  【关闭】",
    ]
    foot = [
        "扫一扫在手机打开当前页",
        "上一篇：" + rel[0],
        "下一篇：" + rel[1],
        "相关链接：中国政府网 省政府网站 市政府网站 县直部门 乡镇网站",
        "主办单位：%s人民政府办公室  承办单位：%s数据资源管理局" % (county, county),
        "网站标识码：%d  皖ICP备%08d号  皖公网安备 %d号" % (rng.randint(3412000000, 3412999999), rng.randint(1, 99999999), rng.randint(34122102000000, 34122109999999)),
        "地址：%s人民路%d号  联系电话：0558-%d" % (county, rng.randint(1, 300), rng.randint(6000000, 6999999)),
        "本网站由%s人民政府办公室主办，建议使用1920×1080分辨率浏览，部分内容如有错漏，敬请来函指正。" % county,
    ]
    return {"head": head, "meta": meta, "foot": foot}


def wechat_copy(a, hot, rel, rng):
    """Copied WeChat 公众号 article."""
    y, m, d = _ymd(a)
    acct = rng.choice(["观察者说", "城市早知道", "新青年周刊", "法治前沿"])
    head = [
        "微信公众平台",
        "收录于合集 #社会热点 %d个" % rng.randint(5, 300),
    ]
    meta = [
        "原创 %s %s" % (_name(rng), acct),
        "%s-%s-%s %s 发表于%s" % (y, m, d, _hm(rng), rng.choice(["北京", "广东", "浙江", "四川"])),
        "点击上方蓝字关注我们",
    ]
    foot = [
        "END",
        "来源：%s综合自新华社、央视新闻" % acct,
        "编辑：%s  审核：%s" % (_name(rng), _name(rng)),
        "本文为%s原创，未经授权，禁止转载。如需转载，请在后台留言联系。" % acct,
        "部分图片来源于网络，版权归原作者所有，如有侵权，请联系我们删除。",
        "往期推荐",
    ] + rel + [
        "点个“在看”，让更多人看到！",
        "阅读 %s" % rng.choice(["10万+", str(rng.randint(1000, 99999))]),
        "在看 %d  赞 %d" % (rng.randint(10, 5000), rng.randint(10, 9000)),
        "写留言",
        "留言",
        "%s：说得太对了，支持！" % _name(rng),
        "喜欢此内容的人还喜欢",
    ] + hot[:3] + [
        "微信扫一扫关注该公众号",
    ]
    return {"head": head, "meta": meta, "foot": foot}


def finance_portal(a, hot, rel, rng):
    """东方财富/新浪财经-style finance portal."""
    y, m, d = _ymd(a)
    site = rng.choice(["东方财富网", "新浪财经", "和讯网"])
    idx = lambda n, b: "%s %.2f %+.2f%%" % (n, b * (1 + rng.uniform(-0.02, 0.02)), rng.uniform(-2.5, 2.5))
    head = [
        "%s首页 | 行情中心 | 数据中心 | 股吧 | 基金 | 理财 | 登录 | 注册" % site,
        "%s  %s  %s" % (idx("上证指数", 3100), idx("深证成指", 11500), idx("创业板指", 2400)),
        "财经 焦点 股票 新股 期指 期权 港股 美股 基金 期货 外汇 黄金 债券 理财 保险 银行",
        "%s > 财经频道 > 正文" % site,
        "24小时热门",
    ] + ["%d. %s" % (i + 1, h) for i, h in enumerate(hot)]
    meta = [
        "%s.%s.%s %s" % (y, m, d, _hm(rng)) if rng.random() < 0.5 else "%s年%s月%s日 %s" % (y, m, d, _hm(rng)),
        "来源：%s  作者：%s  评论(%d)  阅读(%d)" % (rng.choice(["证券时报", "中国证券报", "上海证券报", site]),
                                         _name(rng), rng.randint(0, 800), rng.randint(1000, 200000)),
        "打开APP，查看更多行情 >>",
    ]
    foot = [
        "（文章来源：%s）" % rng.choice(["证券时报", "财联社", "第一财经"]),
        "（责任编辑：%d）" % rng.randint(100, 999),
        "郑重声明：%s发布此信息的目的在于传播更多信息，与本站立场无关。%s不保证该信息（包括但不限于文字、视频、音频、数据及图表）全部或者部分内容的准确性、真实性、完整性、有效性、及时性、原创性等。相关信息并未经过本网站证实，不对您构成任何投资建议，据此操作，风险自担。" % (site, site),
        "风险提示：市场有风险，投资需谨慎。本文内容仅供参考，不构成任何投资建议。",
        "相关个股：%s(%06d) %s(%06d)" % (rng.choice(["贵州茅台", "宁德时代", "招商银行"]), rng.randint(1, 688999),
                                  rng.choice(["比亚迪", "中国平安", "隆基绿能"]), rng.randint(1, 688999)),
        "相关阅读",
    ] + rel + [
        "股吧热帖 | 我要发帖 | 查看全部评论",
        "%s客服热线：400-%03d-%04d  举报邮箱：jubao@%s.com" % (site, rng.randint(100, 999), rng.randint(0, 9999), rng.choice(["eastmoney", "sina", "hexun"])),
        "关于我们 | 联系我们 | 用户协议 | 隐私政策 | 意见反馈 | 广告服务",
        "沪ICP证：沪B2-%d  沪公网安备%d号" % (rng.randint(20070000, 20079999), rng.randint(31010402000000, 31010409999999)),
        "Copyright ©2004-%s %s 版权所有，未经许可不得转载。" % (y, site),
    ]
    return {"head": head, "meta": meta, "foot": foot}


HELDOUT_TEMPLATES = [
    ("provincial_portal", provincial_portal),
    ("central_media", central_media),
    ("county_gov", county_gov),
    ("wechat_copy", wechat_copy),
    ("finance_portal", finance_portal),
]
