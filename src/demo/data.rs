//! The demo's words: departments with what citizens write to each (the category that fits each
//! subject), the places they write about, the sites of the 找错 channel, and the replies.

/// (category, subject) of a mayor's-mailbox message.
pub type Subject = (&'static str, &'static str);

/// (code, name, [(category, subject)]): `{}` in a subject takes a place from [`PLACES`], so one
/// department's messages read like different citizens' ones.
pub const DEPARTMENTS: &[(&str, &str, &[Subject])] = &[
    (
        "gov-office",
        "市政府办公室",
        &[
            ("consultation", "关于市长信箱留言答复时限的咨询"),
            ("suggestion", "建议公开市政府常务会议议题"),
            ("suggestion", "建议在{}设立便民服务点"),
            ("consultation", "关于{}征收安置补偿政策的咨询"),
            ("suggestion", "建议公开{}片区控制性详细规划调整意见"),
            ("complaint", "{}多部门之间推诿扯皮"),
        ],
    ),
    (
        "zjj",
        "市住房和城乡建设局",
        &[
            ("consultation", "{}加装电梯审批进度咨询"),
            ("complaint", "{}老旧小区改造施工夜间扰民"),
            ("consultation", "公租房申请条件及轮候时间咨询"),
            ("complaint", "{}商品房延期交房"),
            ("help", "{}小区物业撤场后无人管理求助"),
            ("report", "{}违规搭建阳光房举报"),
            ("consultation", "住房公积金提取用于加装电梯的政策咨询"),
        ],
    ),
    (
        "jyj",
        "市教育局",
        &[
            ("consultation", "{}小学入学学区划分咨询"),
            ("complaint", "{}学校课后服务收费不透明"),
            ("suggestion", "建议在{}增加公办幼儿园学位"),
            ("help", "随迁子女入学材料不齐求助"),
            ("report", "{}校外培训机构违规开班举报"),
            ("consultation", "中考体育考试项目调整咨询"),
        ],
    ),
    (
        "rsj",
        "市人力资源和社会保障局",
        &[
            ("consultation", "灵活就业人员社保缴费基数咨询"),
            ("help", "{}某建筑工地拖欠农民工工资求助"),
            ("consultation", "职业技能提升补贴申领条件咨询"),
            ("consultation", "退休金核定中视同缴费年限咨询"),
            ("complaint", "{}人社服务窗口排队时间过长"),
            ("suggestion", "建议开通失业保险金线上申领"),
        ],
    ),
    (
        "gaj",
        "市公安局",
        &[
            ("consultation", "户口迁移办理所需材料咨询"),
            ("complaint", "{}夜间改装车辆噪音扰民"),
            ("consultation", "身份证异地换领办理时限咨询"),
            ("report", "{}周边长期违停占用消防通道举报"),
            ("help", "老人走失后如何协助寻找求助"),
            ("suggestion", "建议在{}路口增设电子警察"),
        ],
    ),
    (
        "wjw",
        "市卫生健康委员会",
        &[
            ("consultation", "医保异地就医备案办理咨询"),
            ("complaint", "{}社区卫生服务中心工作人员态度生硬"),
            ("suggestion", "建议延长{}疫苗接种点服务时间"),
            ("help", "罕见病用药无法在本地购买求助"),
            ("report", "{}无证诊所非法行医举报"),
        ],
    ),
    (
        "jtj",
        "市交通运输局",
        &[
            ("suggestion", "建议调整途经{}的公交线路"),
            ("complaint", "{}出租车拒载、绕路"),
            ("help", "{}道路坑洼破损急需维修"),
            ("suggestion", "建议在{}增设公交站点"),
            ("consultation", "网约车驾驶员证办理条件咨询"),
        ],
    ),
    (
        "scj",
        "市市场监督管理局",
        &[
            ("report", "{}农贸市场销售过期食品举报"),
            ("consultation", "个体工商户注册登记流程咨询"),
            ("complaint", "{}商家虚假宣传、价格欺诈"),
            ("help", "{}健身房关门后预付卡退费难求助"),
            ("report", "{}加油站计量不准举报"),
        ],
    ),
    (
        "hbj",
        "市生态环境局",
        &[
            ("report", "{}工地扬尘污染举报"),
            ("complaint", "{}河道散发异味"),
            ("complaint", "{}餐饮店油烟扰民"),
            ("report", "{}企业夜间偷排废水举报"),
            ("consultation", "建设项目环评审批时限咨询"),
        ],
    ),
    (
        "mzj",
        "市民政局",
        &[
            ("consultation", "高龄津贴申领条件咨询"),
            ("complaint", "{}养老机构收费项目不明"),
            ("consultation", "婚姻登记网上预约咨询"),
            ("help", "{}困难家庭临时救助申请求助"),
            ("suggestion", "建议在{}建设社区老年食堂"),
        ],
    ),
    (
        "zrj",
        "市自然资源局",
        &[
            ("consultation", "不动产登记办理进度咨询"),
            ("consultation", "农村宅基地审批政策咨询"),
            ("report", "{}违法占用耕地建房举报"),
            ("complaint", "{}小区房产证迟迟办不下来"),
        ],
    ),
    (
        "sjj",
        "市政务服务和数据管理局",
        &[
            ("complaint", "政务服务网个人账户无法登录"),
            ("complaint", "{}政务服务中心办事指南与实际要求不符"),
            ("suggestion", "建议增加企业开办全程网上办理事项"),
            ("consultation", "电子营业执照下载使用咨询"),
        ],
    ),
];

/// Communities, streets and towns the citizens write about.
pub const PLACES: &[&str] = &[
    "幸福里小区",
    "东湖花园",
    "锦绣家园",
    "滨江新城",
    "光明街道",
    "南山路",
    "城北新区",
    "翠苑三区",
    "长青镇",
    "和平路",
    "阳光水岸",
    "西关街道",
];

/// Sites and errors for the 我为政府网站找错 channel.
pub const SITE_ERRORS: &[(&str, &str, &str, &str)] = &[
    (
        "zjj",
        "市住房和城乡建设局网站",
        "https://zjj.example.gov.cn/zwgk/",
        "政策文件栏目链接打不开",
    ),
    (
        "jyj",
        "市教育局网站",
        "https://jyj.example.gov.cn/tzgg/",
        "通知公告栏目超过半年未更新",
    ),
    (
        "rsj",
        "市人力资源和社会保障局网站",
        "https://rsj.example.gov.cn/bszn/",
        "办事指南中的电话号码错误",
    ),
    (
        "sjj",
        "市政务服务网",
        "https://zwfw.example.gov.cn/",
        "首页搜索功能无法使用",
    ),
    (
        "gov-office",
        "市人民政府门户网站",
        "https://www.example.gov.cn/zcjd/",
        "政策解读栏目为空白栏目",
    ),
    (
        "hbj",
        "市生态环境局网站",
        "https://hbj.example.gov.cn/hjzl/",
        "空气质量数据显示错误",
    ),
    (
        "jtj",
        "市交通运输局网站",
        "https://jtj.example.gov.cn/gjxl/",
        "公交线路图为过期信息",
    ),
];

/// What else citizens find wrong on any site.
pub const COMMON_ERRORS: &[&str] = &[
    "“政务公开”栏目下多个附件无法下载",
    "首页图片新闻无法显示",
    "领导信息栏目分工未及时更新",
    "“互动交流”栏目页面出现错别字",
    "部分页面在手机上显示错乱",
    "网站地图中的链接指向已删除页面",
    "政策文件发布日期与正文落款不一致",
    "“在线办事”入口跳转到错误页面",
];

/// A reply of the kind each category gets.
pub fn reply_for(category: &str) -> &'static str {
    match category {
        "consultation" => "您好！您咨询的问题答复如下：根据现行政策规定，可携带相关材料到政务服务中心窗口办理，也可登录政务服务网在线申请。如有疑问，可拨打12345热线咨询。感谢您的关注。",
        "complaint" => "您好！您反映的问题已收悉。经我单位工作人员现场核实，情况基本属实，已责成相关责任单位限期整改，并将加强日常监管。感谢您对我们工作的监督。",
        "suggestion" => "您好！感谢您提出的宝贵建议。我单位已组织相关科室进行研究，将结合实际在下一步工作中统筹考虑，并及时向社会公布有关进展。",
        "help" => "您好！您的求助已收悉。我单位已安排专人与您联系，协调相关部门帮助解决。后续如有困难，可随时与我单位联系。",
        "report" => "您好！您举报的问题已收悉。经执法人员现场调查核实，已依法责令当事人停止违法行为并立案处理，处理结果将按规定公开。感谢您的支持。",
        "error_report" => "您好！您反映的网站问题已核实并完成整改，相关栏目和链接已恢复正常。感谢您对政府网站建设的关心和支持。",
        _ => "您好！您反映的问题已收悉并办理，具体情况如下。感谢您对我们工作的支持。",
    }
}
